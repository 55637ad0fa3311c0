"""The images the simulated registry holds: CATALOGUE.

Sizes are compressed layer sizes in bytes for linux/amd64 (what a pull downloads and `crictl
images` shows). None was measured for this project: they are plausible figures in line with
the registries' published sizes for these or neighbouring tags, and one size stands for every
tag of a repository. Simplified: the nginx image starts nginx directly (the real one runs
/docker-entrypoint.sh first), and debian's dash is our busybox shell with busybox's messages.
The control-plane images carry no programs here: kubeadm wires what their static pods run.
"""

from __future__ import annotations

from k8slab.node.image_catalogue import Catalogue, Image
from k8slab.node.programs import agnhost, nginx, stress
from k8slab.node.programs.busybox import APPLETS, with_shell
from k8slab.node.programs.pause import goproxy, pause

# The applets a debian-based image (nginx) has on PATH: coreutils, no wget or nslookup.
DEBIAN_COMMANDS = tuple(name for name in APPLETS if name not in ("wget", "nslookup"))

DEBIAN_RELEASE = ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
                  'VERSION_ID="12"\nID=debian\n')
ALPINE_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'


def _nginx() -> Image:
    commands = with_shell(DEBIAN_COMMANDS, nginx=nginx.main)
    commands["bash"] = commands["sh"]
    return Image(
        "docker.io/library/nginx",
        ("latest", "1.14.2", "1.25", "1.26", "1.27", "1.27.3", "1.28", "1.28.0", "1.29", "1.29.3"),
        (28_227_259, 43_951_123, 628, 956, 405, 1_209, 1_403),
        cmd=("nginx", "-g", "daemon off;"), binaries=commands,
        files={f"{nginx.ROOT}/index.html": nginx.INDEX_HTML,
               f"{nginx.ROOT}/50x.html": nginx.error_page(500, "nginx"),
               "/etc/os-release": DEBIAN_RELEASE},
        about="nginx on debian: serves /usr/share/nginx/html on :80")


def _images() -> list[Image]:
    busybox_files = {"/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"}
    control_plane = (
        ("registry.k8s.io/etcd", ("3.6.6-0",), (103_241, 21_202_417, 2_310_844),
         ("/usr/local/bin/etcd",)),
        ("registry.k8s.io/kube-apiserver", ("v1.35.0",), (103_241, 1_497_320, 27_476_022),
         ("/go-runner",)),
        ("registry.k8s.io/kube-controller-manager", ("v1.35.0",),
         (103_241, 1_497_320, 24_741_550), ("/go-runner",)),
        ("registry.k8s.io/kube-scheduler", ("v1.35.0",), (103_241, 1_497_320, 19_052_937),
         ("/go-runner",)),
        ("registry.k8s.io/kube-proxy", ("v1.35.0",), (103_241, 4_210_881, 21_649_579),
         ("/usr/local/bin/kube-proxy",)),
        ("registry.k8s.io/coredns/coredns", ("v1.12.1", "v1.13.1"), (103_241, 20_810_333),
         ("/coredns",)),
    )
    return [
        _nginx(),
        Image("docker.io/library/busybox",
              ("latest", "1.28", "1.36", "1.36.1", "1.37", "1.37.0"), (2_155_079,),
              cmd=("sh",), binaries=with_shell(), files=busybox_files,
              about="busybox: sh and the applets, nothing else"),
        Image("registry.k8s.io/busybox", ("latest", "1.27.2"), (1_144_547,),
              cmd=("sh",), binaries=with_shell(), files=busybox_files,
              about="busybox as Kubernetes' own registry mirrors it"),
        Image("docker.io/library/alpine", ("latest", "3.20"), (3_626_898,),
              cmd=("/bin/sh",), binaries=with_shell(),
              files={"/etc/os-release": ALPINE_RELEASE}, about="alpine: busybox's sh and applets"),
        Image("registry.k8s.io/pause", ("3.10", "3.10.1"), (320_368,),
              entrypoint=("/pause",), binaries={"pause": pause},
              about="holds a pod's namespaces; no shell"),
        Image("registry.k8s.io/e2e-test-images/agnhost", ("2.40", "2.47", "2.53"),
              (3_408_729, 47_912_345), entrypoint=("/agnhost",),
              binaries=with_shell(agnhost=agnhost.main),
              about="Kubernetes' e2e test server: liveness, netexec, serve-hostname..."),
        Image("registry.k8s.io/goproxy", ("0.1",), (2_582_048,), entrypoint=("/goproxy",),
              binaries={"goproxy": goproxy}, about="a TCP proxy listening on :8080; no shell"),
        Image("docker.io/polinux/stress", ("latest",), (2_797_000, 1_244_288),
              cmd=("stress", "--help"), binaries=with_shell(stress=stress.polinux_stress),
              about="stress(1) on alpine: --vm, --vm-bytes, --cpu, --timeout"),
        Image("docker.io/vish/stress", ("latest",), (1_753_312,),
              entrypoint=("/stress", "-logtostderr"), binaries={"stress": stress.vish_stress},
              about="a Go stress tool: -mem-total, -mem-alloc-size, -cpus; no shell"),
        *(Image(repository, tags, layers, entrypoint=entrypoint,
                about="control plane; kubeadm wires its program")
          for repository, tags, layers, entrypoint in control_plane),
    ]


CATALOGUE = Catalogue(_images())

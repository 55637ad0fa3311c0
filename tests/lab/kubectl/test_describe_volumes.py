"""The `Volumes:` block of kubectl describe: each kind of volume the lab models, in kubectl
v1.35's words, aligned as its tabwriter aligns them."""

from k8slab.apiserver.admission.service_account import token_volume_source
from k8slab.lab.kubectl.describe_text import DescribeWriter
from k8slab.lab.kubectl.describe_volumes import volumes_block


def block(volumes, space=""):
    w = DescribeWriter()
    volumes_block(w, volumes, space)
    return w.text()


def test_the_token_volume_reads_as_kubectl_prints_it():
    assert block([{"name": "kube-api-access-abcde", "projected": token_volume_source()}]) == (
        "Volumes:\n"
        "  kube-api-access-abcde:\n"
        "    Type:                    Projected (a volume that contains injected data from "
        "multiple sources)\n"
        "    TokenExpirationSeconds:  3607\n"
        "    ConfigMapName:           kube-root-ca.crt\n"
        "    Optional:                false\n"
        "    DownwardAPI:             true")


def test_empty_dir_config_map_and_host_path():
    text = block([{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}},
                  {"name": "cfg", "configMap": {"name": "app"}},
                  {"name": "data", "hostPath": {"path": "/var/lib/etcd",
                                                "type": "DirectoryOrCreate"}}])
    # A volume's name line has no tab, so each volume's lines align on their own.
    assert text.splitlines()[1:] == [
        "  cache:",
        "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)",
        "    Medium:     Memory",
        "    SizeLimit:  1Gi",
        "  cfg:",
        "    Type:      ConfigMap (a volume populated by a ConfigMap)",
        "    Name:      app",
        "    Optional:  false",
        "  data:",
        "    Type:          HostPath (bare host directory volume)",
        "    Path:          /var/lib/etcd",
        "    HostPathType:  DirectoryOrCreate"]


def test_no_volumes_and_a_templates_indent():
    assert block([]) == "Volumes:  <none>"
    assert block([{"name": "cache", "emptyDir": {}}], "  ").splitlines()[:2] == [
        "  Volumes:", "   cache:"]

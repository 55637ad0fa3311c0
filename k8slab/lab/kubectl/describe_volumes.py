"""The `Volumes:` block of `kubectl describe` for a pod or a pod template, in kubectl v1.35's
words (pkg/describe/describe.go describeVolumes and its print*VolumeSource helpers): each
volume's name, then what it is made of.
"""

from __future__ import annotations

from k8slab.lab.kubectl.describe_text import DescribeWriter


def _go_pointer(value: object) -> str:
    # describe prints a projected source's *bool Optional with %v: "<nil>" when unset.
    return "<nil>" if value is None else str(value).lower()


def _source_lines(volume: dict) -> list[str]:
    if "hostPath" in volume:
        source = volume["hostPath"] or {}
        return ["Type:\tHostPath (bare host directory volume)",
                f"Path:\t{source.get('path', '')}",
                f"HostPathType:\t{source.get('type') or '<none>'}"]
    if "emptyDir" in volume:
        source = volume["emptyDir"] or {}
        return ["Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)",
                f"Medium:\t{source.get('medium', '')}",
                f"SizeLimit:\t{source.get('sizeLimit') or '<unset>'}"]
    if "configMap" in volume:
        source = volume["configMap"] or {}
        return ["Type:\tConfigMap (a volume populated by a ConfigMap)",
                f"Name:\t{source.get('name', '')}",
                f"Optional:\t{str(bool(source.get('optional'))).lower()}"]
    if "projected" in volume:
        lines = ["Type:\tProjected (a volume that contains injected data from multiple sources)"]
        for source in (volume["projected"] or {}).get("sources") or []:
            if "secret" in source:
                lines += [f"SecretName:\t{source['secret'].get('name', '')}",
                          f"SecretOptionalName:\t{_go_pointer(source['secret'].get('optional'))}"]
            elif "downwardAPI" in source:
                lines.append("DownwardAPI:\ttrue")
            elif "configMap" in source:
                # kubectl v1.36 prints the *bool dereferenced, false when unset.
                optional = bool(source["configMap"].get("optional"))
                lines += [f"ConfigMapName:\t{source['configMap'].get('name', '')}",
                          f"Optional:\t{str(optional).lower()}"]
            elif "serviceAccountToken" in source:
                lines.append("TokenExpirationSeconds:\t"
                             f"{source['serviceAccountToken'].get('expirationSeconds', 3600)}")
        return lines
    return ["<unknown>"]


def volumes_block(w: DescribeWriter, volumes: list[dict] | None, space: str = "") -> None:
    """`Volumes:` then each volume (`space` indents a pod template's block), or `<none>`."""
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        lines = _source_lines(volume)
        w.write(2, lines[0] + "\n")
        for line in lines[1:]:
            w.write(2, line + "\n")

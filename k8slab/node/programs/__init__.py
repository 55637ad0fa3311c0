"""The programs containers run, and the images that carry them.

`catalogue.CATALOGUE` is the registry's contents; each image maps the commands on its PATH to
programs (`main(process) -> exit status`): a busybox shell and applets, nginx, agnhost, stress,
pause. The lead's runc finds a container's program with `Image.binary(argv[0])`.
"""

#!/usr/bin/env python3
"""Helpers of bench/run.sh: log time stamps, manifest edits, the baseline Dockerfile, registry sizes, clean-up of
bench images and the page docs/benchmarks.md. Every subcommand prints its result on stdout."""

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
])


def stamp(_args):
    """Copy stdin to stdout, each line prefixed with the seconds since this process started."""
    start = time.monotonic()
    for line in sys.stdin:
        sys.stdout.write(f"{time.monotonic() - start:10.3f} {line}")
        sys.stdout.flush()
    sys.stdout.write(f"{time.monotonic() - start:10.3f} [end of output]\n")


def seconds_after(args):
    """Print the seconds from the last log line matching the pattern to the end of a stamped log."""
    pattern = re.compile(args.pattern)
    matched = None
    last = None
    for seconds, text in read_stamped(args.log):
        last = seconds
        if pattern.search(text):
            matched = seconds
    if matched is None or last is None:
        sys.exit(f"error: no line of {args.log} matches '{args.pattern}'")
    print(f"{last - matched:.3f}")


def read_stamped(path):
    """Yield (seconds, text) for each line of a log written by stamp."""
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            head, _, text = line.rstrip("\n").lstrip().partition(" ")
            try:
                yield float(head), text
            except ValueError:
                continue


def seconds_between(args):
    """Print the seconds from the first line matching START to the first later line matching END."""
    start_pattern, end_pattern = re.compile(args.start), re.compile(args.end)
    started = None
    for seconds, text in read_stamped(args.log):
        if started is None and start_pattern.search(text):
            started = seconds
        elif started is not None and end_pattern.search(text):
            print(f"{seconds - started:.3f}")
            return
    sys.exit(f"error: {args.log} has no line matching '{args.start}' followed by one matching '{args.end}'")


def cached_run_steps(args):
    """Print how many RUN steps of a verbose build log were served from the build cache."""
    step = re.compile(r"Step \d+/\d+ : (\S+)")
    instruction = None
    count = 0
    with open(args.log, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = step.search(line)
            if match:
                instruction = match.group(1).upper()
            elif "---> Using cache" in line and instruction == "RUN":
                count += 1
    print(count)


def match_number(args):
    """Print the first group of the last line of a log that matches the pattern."""
    pattern = re.compile(args.pattern)
    found = None
    with open(args.log, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = pattern.search(line)
            if match:
                found = match.group(1)
    if found is None:
        sys.exit(f"error: no line of {args.log} matches '{args.pattern}'")
    print(found)


def edit_manifest(args):
    """Set the repository and reorder aptPackages of image.json to the permutation with the given index."""
    with open(args.path, encoding="utf-8") as file:
        manifest = json.load(file)
    manifest["repository"] = args.repository
    packages = manifest.get("aptPackages", [])
    if args.permutation > 0:
        orders = list(itertools.permutations(packages))
        if len(orders) < 2:
            sys.exit(f"error: {args.path} lists fewer than 2 aptPackages, so no other order can make the build cold")
        # Index 0 is the committed order, so every positive index names a different order.
        manifest["aptPackages"] = list(orders[1 + (args.permutation - 1) % (len(orders) - 1)])
    with open(args.path, "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=2, ensure_ascii=False)
        file.write("\n")
    print(" ".join(manifest["aptPackages"]))


def previous_version(args):
    """Print the release listed before the current one in `npm view PKG versions --json` (stdin)."""
    versions = [v for v in json.load(sys.stdin) if "-" not in v and "+" not in v]
    if args.current not in versions:
        sys.exit(f"error: version {args.current} is not among the published releases")
    index = versions.index(args.current)
    if index == 0:
        sys.exit(f"error: {args.current} is the first published release, so there is no previous one")
    print(versions[index - 1])


def pins(args):
    """Print 'package@version' for each CLI of a lock file (stdin), with CLI=VERSION overrides applied."""
    lock = json.load(sys.stdin)
    overrides = dict(item.split("=", 1) for item in args.override)
    for cli_id, pin in lock["clis"].items():
        print(f"{pin['package']}@{overrides.get(cli_id, pin['version'])}")


def lock_field(args):
    """Print clis.<id>.<field> of a lock file (stdin)."""
    print(json.load(sys.stdin)["clis"][args.cli][args.field])


def baseline_dockerfile(args):
    """Print the baseline Dockerfile: the manifest's apt packages and user, then one npm install -g layer. The
    label right after FROM keeps its steps apart from the build cache of other builds."""
    with open(args.manifest, encoding="utf-8") as file:
        manifest = json.load(file)
    user = manifest["user"]
    packages = " ".join(manifest.get("aptPackages", []))
    specs = " ".join(args.spec)
    print(f"""# Generated by bench/run.sh: the single-layer baseline of {manifest['name']}.
ARG BASE_IMAGE
FROM ${{BASE_IMAGE}}
LABEL {args.label}
USER root
RUN set -eu; \\
    apt-get update; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {packages}; \\
    rm -rf /var/lib/apt/lists/*
RUN set -eu; \\
    existing_user="$(getent passwd {user['uid']} | cut -d: -f1 || true)"; \\
    if [ -n "$existing_user" ] && [ "$existing_user" != "{user['name']}" ]; then userdel --remove "$existing_user" 2>/dev/null || userdel "$existing_user"; fi; \\
    existing_group="$(getent group {user['gid']} | cut -d: -f1 || true)"; \\
    if [ -n "$existing_group" ] && [ "$existing_group" != "{user['name']}" ]; then groupdel "$existing_group"; fi; \\
    groupadd --gid {user['gid']} {user['name']}; \\
    useradd --uid {user['uid']} --gid {user['gid']} --create-home --home-dir /home/{user['name']} --shell /bin/bash {user['name']}
COPY ca-bundle.crt /tmp/hagi-bench-ca.crt
RUN set -eu; \\
    export NODE_EXTRA_CA_CERTS=/tmp/hagi-bench-ca.crt npm_config_cafile=/tmp/hagi-bench-ca.crt; \\
    npm install -g --no-audit --no-fund {specs}; \\
    npm cache clean --force; \\
    rm -f /tmp/hagi-bench-ca.crt
WORKDIR /home/{user['name']}
CMD ["bash"]""")


def registry_get(url, accept=None):
    request = urllib.request.Request(url)
    if accept:
        request.add_header("Accept", accept)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def registry_image(args):
    """Print the layers (digest, compressed size, created_by) of an image in a registry on 127.0.0.1, as JSON."""
    base = f"http://{args.address}/v2/{args.repository}"
    manifest = registry_get(f"{base}/manifests/{args.tag}", MANIFEST_TYPES)
    config = registry_get(f"{base}/blobs/{manifest['config']['digest']}")
    steps = [step.get("created_by", "") for step in config.get("history", []) if not step.get("empty_layer")]
    layers = []
    for index, layer in enumerate(manifest["layers"]):
        layers.append({
            "digest": layer["digest"],
            "size": layer["size"],
            "created_by": steps[index] if index < len(steps) else "",
        })
    print(json.dumps({"repository": args.repository, "tag": args.tag, "layers": layers}))


def changed_layers(args):
    """Print 'count total_bytes cli_bytes source' for the layers of the new image that the old one lacks. The source
    field tells whether cli_bytes comes from layers whose history names the CLI or from the largest new layer."""
    with open(args.old, encoding="utf-8") as file:
        old = {layer["digest"] for layer in json.load(file)["layers"]}
    with open(args.new, encoding="utf-8") as file:
        new = [layer for layer in json.load(file)["layers"] if layer["digest"] not in old]
    matched = [layer["size"] for layer in new if any(word in layer["created_by"] for word in args.word)]
    if matched:
        print(len(new), sum(layer["size"] for layer in new), sum(matched), "matched-by-history")
    else:
        # No history entry names the CLI: the largest new layer stands for it.
        print(len(new), sum(layer["size"] for layer in new), max([layer["size"] for layer in new], default=0), "largest-new-layer")


def compressed_size(args):
    """Print the sum of the layer sizes of a registry_image JSON file."""
    with open(args.path, encoding="utf-8") as file:
        print(sum(layer["size"] for layer in json.load(file)["layers"]))


def new_layers(args):
    """Print how many entries of RootFS.Layers of the new image are missing from the old one."""
    def layers(image):
        output = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{json .RootFS.Layers}}", image],
            check=True, capture_output=True, text=True).stdout
        return json.loads(output)
    old = set(layers(args.old))
    new = layers(args.new)
    print(sum(1 for layer in new if layer not in old), len(new))


def docker_lines(*arguments):
    return subprocess.run(["docker", *arguments], check=True, capture_output=True, text=True).stdout.split()


def remove_created(args):
    """Remove every image whose build step contains a line of MARKERS, and its descendants, children first and
    without pruning parents. An image that carries a tag without 'hagi-bench' is reported and kept."""
    with open(args.markers, encoding="utf-8") as file:
        markers = [line.rstrip("\n") for line in file if line.strip()]
    ids = sorted(set(docker_lines("images", "--all", "--quiet", "--no-trunc")))
    if not ids:
        print(0)
        return
    inspected = json.loads(subprocess.run(
        ["docker", "image", "inspect", *ids], check=True, capture_output=True, text=True).stdout)
    parent = {image["Id"]: image.get("Parent", "") for image in inspected}
    tags = {image["Id"]: image.get("RepoTags") or [] for image in inspected}
    roots = set()
    for image in inspected:
        step = " ".join((image.get("ContainerConfig") or {}).get("Cmd") or [])
        if any(marker in step for marker in markers):
            roots.add(image["Id"])

    def descends_from_root(image_id):
        while image_id:
            if image_id in roots:
                return True
            image_id = parent.get(image_id, "")
        return False

    doomed = set()
    for image_id in parent:
        if not descends_from_root(image_id):
            continue
        if all("hagi-bench" in tag for tag in tags[image_id]):
            doomed.add(image_id)
        else:
            print(f"kept {image_id[7:19]}: a bench build made it, but it is tagged {tags[image_id]}", file=sys.stderr)

    # Each pass removes the images that no remaining image names as parent.
    removed = 0
    while doomed:
        parents = set(parent.values())
        leaves = [image_id for image_id in doomed if image_id not in parents]
        if not leaves:
            break
        for image_id in leaves:
            result = subprocess.run(["docker", "rmi", "--no-prune", image_id], capture_output=True, text=True)
            if result.returncode == 0:
                removed += 1
            else:
                print(f"could not remove {image_id[7:19]}: {result.stderr.strip()}", file=sys.stderr)
            doomed.discard(image_id)
            del parent[image_id]
    print(removed)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import page  # noqa: E402  The page generator lives beside this file.

    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("stamp").set_defaults(run=stamp)
    command = commands.add_parser("seconds-after")
    command.add_argument("log")
    command.add_argument("pattern")
    command.set_defaults(run=seconds_after)
    command = commands.add_parser("match-number")
    command.add_argument("log")
    command.add_argument("pattern")
    command.set_defaults(run=match_number)
    command = commands.add_parser("edit-manifest")
    command.add_argument("path")
    command.add_argument("repository")
    command.add_argument("permutation", type=int)
    command.set_defaults(run=edit_manifest)
    command = commands.add_parser("previous-version")
    command.add_argument("current")
    command.set_defaults(run=previous_version)
    command = commands.add_parser("pins")
    command.add_argument("override", nargs="*")
    command.set_defaults(run=pins)
    command = commands.add_parser("lock-field")
    command.add_argument("cli")
    command.add_argument("field")
    command.set_defaults(run=lock_field)
    command = commands.add_parser("baseline-dockerfile")
    command.add_argument("manifest")
    command.add_argument("label")
    command.add_argument("spec", nargs="+")
    command.set_defaults(run=baseline_dockerfile)
    command = commands.add_parser("registry-image")
    command.add_argument("address")
    command.add_argument("repository")
    command.add_argument("tag")
    command.set_defaults(run=registry_image)
    command = commands.add_parser("changed-layers")
    command.add_argument("old")
    command.add_argument("new")
    command.add_argument("word", nargs="+")
    command.set_defaults(run=changed_layers)
    command = commands.add_parser("compressed-size")
    command.add_argument("path")
    command.set_defaults(run=compressed_size)
    command = commands.add_parser("new-layers")
    command.add_argument("old")
    command.add_argument("new")
    command.set_defaults(run=new_layers)
    command = commands.add_parser("remove-created")
    command.add_argument("markers")
    command.set_defaults(run=remove_created)
    command = commands.add_parser("seconds-between")
    command.add_argument("log")
    command.add_argument("start")
    command.add_argument("end")
    command.set_defaults(run=seconds_between)
    command = commands.add_parser("cached-run-steps")
    command.add_argument("log")
    command.set_defaults(run=cached_run_steps)
    command = commands.add_parser("page")
    command.add_argument("directory")
    command.add_argument("output")
    command.set_defaults(run=page.write_page)
    parsed = parser.parse_args()
    parsed.run(parsed)

#!/usr/bin/env bash
# Measures the ai-cli pipeline against a single-layer baseline image and writes docs/benchmarks.md.
#   bench/run.sh [--reps N] [--quick] [--cli ID] [--keep-images]
# Raw figures go to artifacts/bench/. Not part of CI: a full run takes 30 minutes or more on 2 cores.
set -Eeuo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: bench/run.sh [--reps N] [--quick] [--cli ID] [--keep-images]

  --reps N        repetitions of each timed step (default 3, at least 1)
  --quick         one repetition, to check that the script works end to end
  --cli ID        CLI of images/ai-cli whose pin moves to its previous release (default codex)
  --keep-images   keep the images of the last repetition (tags hagi-bench/*) for inspection

Needs a clean images/ folder (git status --porcelain images/), Docker, npm, python3 and
/usr/bin/docker-registry. The images/ folder is restored with 'git checkout -- images/' at the end.
EOF
}

reps=3
cli=codex
keep_images=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "error: --reps needs a whole number of at least 1, such as --reps 3" >&2; exit 2; }
      reps=$2
      shift 2
      ;;
    --quick) reps=1; shift ;;
    --cli)
      [[ $# -ge 2 ]] || { echo "error: --cli needs a CLI id of images/ai-cli/image.json, such as --cli codex" >&2; exit 2; }
      cli=$2
      shift 2
      ;;
    --keep-images) keep_images=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
helper=$root/bench/bench.py
image_dir=images/ai-cli
out=artifacts/bench
ca_bundle=${HAGI_BENCH_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
ours_repository=hagi-bench/ai-cli
baseline_repository=hagi-bench/ai-cli-baseline

for tool in docker npm python3 git curl /usr/bin/docker-registry; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool was not found; bench/run.sh needs it" >&2; exit 1; }
done
[[ -f "$ca_bundle" ]] || { echo "error: CA bundle $ca_bundle (HAGI_BENCH_CA_BUNDLE) was not found" >&2; exit 1; }
if [[ -n "$(git status --porcelain images/)" ]]; then
  echo "error: images/ has uncommitted changes, and the benchmark rewrites and restores that folder. Commit or stash them first:" >&2
  git status --short images/ >&2
  exit 1
fi
docker info >/dev/null 2>&1 || { echo "error: the Docker engine does not respond (docker info failed)" >&2; exit 1; }

export NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-$ca_bundle}
export npm_config_cafile=${npm_config_cafile:-$ca_bundle}

work=$(mktemp -d /tmp/hagi-bench.XXXXXX)
registry_pid=
images_touched=false
# Text that only build steps of this run contain: the reordered apt lists of ours and the baseline's label.
# Every image whose step contains one of them, and every descendant of such an image, is a bench build.
run_id=$(date +%s)-$$
markers_file=$work/markers.txt
printf 'hagi-bench.run=%s\n' "$run_id" >"$markers_file"

# Removes the hagi-bench tags, then the images that bench builds created. --no-prune keeps docker from also
# removing untagged parents that other builds made and a bench build reused from the cache.
remove_bench_images() {
  local tags
  tags=$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)hagi-bench/' || true)
  if [[ -n "$tags" ]]; then
    xargs docker rmi --no-prune <<<"$tags" >/dev/null || echo "warning: some hagi-bench tags could not be removed" >&2
  fi
  python3 "$helper" remove-created "$markers_file" >/dev/null
}

cleanup() {
  local status=$?
  set +e
  if [[ -n "$registry_pid" ]]; then
    kill "$registry_pid" 2>/dev/null
    wait "$registry_pid" 2>/dev/null
  fi
  if [[ "$images_touched" == true ]]; then
    git checkout -- images/
    [[ -z "$(git status --porcelain images/)" ]] || echo "warning: images/ still differs from HEAD after the restore" >&2
  fi
  if [[ "$keep_images" == true ]]; then
    echo "Kept for inspection: $(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '(^|/)hagi-bench/' | tr '\n' ' ')"
  else
    remove_bench_images
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$out"
mkdir -p "$out/logs" "$out/images"
tsv=$out/measurements.tsv
printf 'metric\tvariant\trep\tvalue\tunit\n' >"$tsv"
printf 'key\tvalue\n' >"$out/meta.tsv"
printf 'step\tcommand\n' >"$out/commands.tsv"
: >"$out/notes.txt"

meta() { printf '%s\t%s\n' "$1" "$2" >>"$out/meta.tsv"; }
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$tsv"; }
note() { printf '%s\n' "$1" >>"$out/notes.txt"; }
command_of() {
  grep -q -F "$1	" "$out/commands.tsv" || printf '%s\t%s\n' "$1" "$2" >>"$out/commands.tsv"
}
seconds_between() { awk -v start="$1" -v end="$2" 'BEGIN { printf "%.3f", end - start }'; }

# Runs a command with its output time-stamped into LOG; returns the command's exit status.
run_logged() {
  local log=$1
  shift
  local status
  set +e
  "$@" 2>&1 | python3 "$helper" stamp >"$log"
  status=${PIPESTATUS[0]}
  set -e
  if [[ $status -ne 0 ]]; then
    echo "error: '$*' failed with exit status $status; the last lines of $log:" >&2
    tail -n 30 "$log" >&2
  fi
  return "$status"
}

# Runs a command, records its wall time as METRIC/VARIANT/REP in seconds and logs to $out/logs/NAME.log.
timed() {
  local metric=$1 variant=$2 rep=$3 name=$4
  shift 4
  local start end
  start=$EPOCHREALTIME
  run_logged "$out/logs/$name.log" "$@"
  end=$EPOCHREALTIME
  record "$metric" "$variant" "$rep" "$(seconds_between "$start" "$end")" s
}

# Seconds from Cake's banner of task $2 to its TearDown banner: the target without the build host start-up.
task_seconds() { python3 "$helper" seconds-between "$1" "^\\s*$2\\s*\$" '^\s*TearDown\s*$'; }

build_seconds() { python3 "$helper" match-number "$1" 'built as [0-9a-f]+ in ([0-9.]+) s'; }

# Sets the bench repository and the apt order with index $1 (0 keeps the committed order) in image.json.
prepare_manifest() {
  images_touched=true
  git checkout -- images/
  local order
  order=$(python3 "$helper" edit-manifest "$image_dir/image.json" "$ours_repository" "$1")
  # The committed order is shared with other builds, so only a reordered list marks bench builds.
  if (( $1 > 0 )); then printf -- '--no-install-recommends %s;\n' "$order" >>"$markers_file"; fi
}

ours_build() {
  ./build.sh --target BuildImages --image ai-cli --base-image bootstrap --ca-bundle "$ca_bundle" --version "$1" --verbose-log
}

baseline_build() {
  local tag=$1 cache=$2
  shift 2
  local options=(--build-arg "BASE_IMAGE=$base_image" --label hagiimages.test=true -t "$baseline_repository:$tag")
  [[ -z "$cache" ]] || options=("$cache" "${options[@]}")
  local context=$work/baseline-$tag
  mkdir -p "$context"
  cp "$ca_bundle" "$context/ca-bundle.crt"
  python3 "$helper" baseline-dockerfile "$work/image.json" "hagi-bench.run=$run_id" "$@" >"$context/Dockerfile"
  cp "$context/Dockerfile" "$out/baseline.Dockerfile"
  DOCKER_BUILDKIT=0 docker build "${options[@]}" "$context"
}

inspect_image() {
  docker image inspect "$1" >"$out/images/$2.json"
}

# Records the 5 largest paths under each CLI folder of an image as paths-VARIANT-CLI.tsv. The folder is
# PARENT/<CLI id> for ours and PARENT/<package> for the baseline's global npm folder.
largest_paths() {
  local image=$1 variant=$2 parent=$3 id folder
  for id in "${cli_ids[@]}"; do
    if [[ $variant == ours ]]; then
      folder=$parent/$id
    else
      folder=$parent/$(python3 "$helper" lock-field "$id" package <"$work/lock.json")
    fi
    docker run --rm --name "hagi-bench-du-$$" --label hagiimages.test=true --entrypoint sh "$image" \
      -c "du -ab '$folder' | sort -rn | head -n 6" | awk -v OFS='\t' '{ print $1, $2 }' >"$out/paths-$variant-$id.tsv"
  done
}

start_registry() {
  local port config
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$work/registry/data"
  config=$work/registry/config.yml
  printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/registry/data" "$port" >"$config"
  /usr/bin/docker-registry serve "$config" >"$out/logs/registry.log" 2>&1 &
  registry_pid=$!
  registry=127.0.0.1:$port
  for _ in $(seq 1 40); do
    curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "error: docker-registry on $registry did not respond within 20 s; see $out/logs/registry.log" >&2
  return 1
}

registry_bytes() { du -sb "$work/registry/data" | cut -f1; }

push() {
  docker tag "$1" "$registry/$2"
  docker push "$registry/$2"
}

echo "Benchmark: $reps repetitions, CLI $cli, raw figures in $out/"
run_started=$EPOCHREALTIME
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta revision "$(git rev-parse HEAD)"
meta cpus "$(nproc)"
meta cpu_model "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
meta memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
meta kernel "$(uname -r)"
meta docker "$(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
meta storage_driver "$(docker info --format '{{.Driver}}')"
meta dotnet "$(dotnet --version 2>/dev/null || echo unknown)"
meta npm "$(npm --version)"
meta reps "$reps"
meta cli "$cli"

git show HEAD:"$image_dir/image.json" >"$work/image.json"
git show HEAD:"$image_dir/image.lock.json" >"$work/lock.json"
mapfile -t cli_ids < <(python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)["clis"]))' <"$work/lock.json")
mapfile -t packages < <(python3 -c 'import json, sys; print("\n".join(p["package"] for p in json.load(sys.stdin)["clis"].values()))' <"$work/lock.json")
package=$(python3 "$helper" lock-field "$cli" package <"$work/lock.json") \
  || { echo "error: CLI '$cli' (--cli) is not in $image_dir/image.lock.json; CLIs: ${cli_ids[*]}" >&2; exit 2; }
current=$(python3 "$helper" lock-field "$cli" version <"$work/lock.json")
previous=$(npm view "$package" versions --json | python3 "$helper" previous-version "$current")
node_version=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["node"]["version"])' <"$work/lock.json")
base_image=${HAGI_BENCH_BASE_IMAGE:-hagiimages/node:$node_version-bookworm}
meta pin_move "$package $current -> $previous"
meta base_image "$base_image"
mapfile -t pins_before < <(python3 "$helper" pins <"$work/lock.json")
mapfile -t pins_after < <(python3 "$helper" pins "$cli=$previous" <"$work/lock.json")

echo "Preparing: build host and base image"
timed prepare_s host 0 prepare ./build.sh --target BaseImage --image ai-cli --base-image bootstrap
docker image inspect "$base_image" >/dev/null 2>&1 \
  || { echo "error: the base image $base_image is missing after the BaseImage target; set HAGI_BENCH_BASE_IMAGE to the one it made" >&2; exit 1; }

echo "Resolve, npm view and build host start-up"
command_of resolve "./build.sh --target Resolve --image ai-cli"
command_of npm_view "for each package: npm view --cache FRESH_DIR PACKAGE version (sequential)"
command_of startup "./build.sh --description"
for rep in $(seq 1 "$reps"); do
  timed startup_s host "$rep" "startup-$rep" ./build.sh --description
  timed resolve_first_s ours "$rep" "resolve-first-$rep" ./build.sh --target Resolve --image ai-cli
  record resolve_task_s ours "$rep" "$(task_seconds "$out/logs/resolve-first-$rep.log" Resolve)" s
  timed resolve_repeat_s ours "$rep" "resolve-repeat-$rep" ./build.sh --target Resolve --image ai-cli
  npm_cache=$work/npm-cache-$rep
  # shellcheck disable=SC2016 # The inner bash expands the arguments.
  npm_loop=(bash -c 'for package in "${@:2}"; do npm view --cache "$1" "$package" version; done' npm-view "$npm_cache" "${packages[@]}")
  timed resolve_first_s npm "$rep" "npm-view-first-$rep" "${npm_loop[@]}"
  timed resolve_repeat_s npm "$rep" "npm-view-repeat-$rep" "${npm_loop[@]}"
done

echo "Render with nothing to change"
command_of render "./build.sh --target Render"
for rep in $(seq 1 "$reps"); do
  timed render_s ours "$rep" "render-$rep" ./build.sh --target Render
  record render_task_s ours "$rep" "$(task_seconds "$out/logs/render-$rep.log" Render)" s
done
[[ -z "$(git status --porcelain images/)" ]] \
  || { echo "error: ./build.sh --target Render changed images/ although nothing changed:" >&2; git status --short images/ >&2; exit 1; }

# Each repetition reorders the apt list differently, so no earlier build is a cache hit for the stages of ours.
permutation_start=$((RANDOM % 23))
permutation() { echo $(( (permutation_start + $1 - 1) % 23 + 1 )); }

command_of ours_cold "./build.sh --target BuildImages --image ai-cli --base-image bootstrap --ca-bundle CA --version 0.0.0-bench.REP-a --verbose-log"
command_of bump "./build.sh --target Bump --image ai-cli --base-image bootstrap --ca-bundle CA --cli $cli --to $previous"
command_of ours_rebuild "./build.sh --target BuildImages --image ai-cli --base-image bootstrap --ca-bundle CA --version 0.0.0-bench.REP-b --verbose-log"
command_of baseline_cold "DOCKER_BUILDKIT=0 docker build --no-cache --build-arg BASE_IMAGE=$base_image -t $baseline_repository:REP-a CONTEXT"
command_of baseline_rebuild "DOCKER_BUILDKIT=0 docker build --build-arg BASE_IMAGE=$base_image -t $baseline_repository:REP-b CONTEXT"

for rep in $(seq 1 "$reps"); do
  echo "Repetition $rep of $reps: cold builds, pin move of $cli to $previous, rebuilds"
  ours_a=$ours_repository:0.0.0-bench.$rep-a
  ours_b=$ours_repository:0.0.0-bench.$rep-b
  baseline_a=$baseline_repository:$rep-a
  baseline_b=$baseline_repository:$rep-b
  prepare_manifest "$(permutation "$rep")"

  run_ours() {
    # Cold includes the downloads: the build host's tarball store starts empty, as on a fresh machine.
    rm -rf artifacts/cache/npm-tarballs
    timed cold_wall_s ours "$rep" "ours-cold-$rep" ours_build "0.0.0-bench.$rep-a"
    record cold_build_s ours "$rep" "$(build_seconds "$out/logs/ours-cold-$rep.log")" s
    record cold_cached_run_steps ours "$rep" "$(python3 "$helper" cached-run-steps "$out/logs/ours-cold-$rep.log")" steps
    timed bump_s ours "$rep" "bump-$rep" ./build.sh --target Bump --image ai-cli --base-image bootstrap --ca-bundle "$ca_bundle" --cli "$cli" --to "$previous"
    timed rebuild_wall_s ours "$rep" "ours-rebuild-$rep" ours_build "0.0.0-bench.$rep-b"
    record rebuild_build_s ours "$rep" "$(build_seconds "$out/logs/ours-rebuild-$rep.log")" s
    result=$(python3 "$helper" new-layers "$ours_a" "$ours_b")
    read -r changed total <<<"$result"
    record layers_rebuilt ours "$rep" "$changed" layers
    record layers_total ours "$rep" "$total" layers
  }
  run_baseline() {
    timed cold_wall_s baseline "$rep" "baseline-cold-$rep" baseline_build "$rep-a" --no-cache "${pins_before[@]}"
    record cold_build_s baseline "$rep" "$(awk -F'\t' -v rep="$rep" '$1 == "cold_wall_s" && $2 == "baseline" && $3 == rep { print $4 }' "$tsv")" s
    timed rebuild_wall_s baseline "$rep" "baseline-rebuild-$rep" baseline_build "$rep-b" "" "${pins_after[@]}"
    record rebuild_build_s baseline "$rep" "$(awk -F'\t' -v rep="$rep" '$1 == "rebuild_wall_s" && $2 == "baseline" && $3 == rep { print $4 }' "$tsv")" s
    result=$(python3 "$helper" new-layers "$baseline_a" "$baseline_b")
    read -r changed total <<<"$result"
    record layers_rebuilt baseline "$rep" "$changed" layers
    record layers_total baseline "$rep" "$total" layers
  }
  # Alternating the order spreads any warm-up of the network path over both variants.
  if (( rep % 2 == 1 )); then run_ours; run_baseline; else run_baseline; run_ours; fi
  inspect_image "$ours_a" "ours-$rep-a"
  inspect_image "$ours_b" "ours-$rep-b"
  inspect_image "$baseline_a" "baseline-$rep-a"
  inspect_image "$baseline_b" "baseline-$rep-b"

  if (( rep == 1 )); then
    echo "Sizes and pushes to a local registry (first repetition only)"
    record size_uncompressed ours 1 "$(docker image inspect --format '{{.Size}}' "$ours_a")" bytes
    record size_uncompressed baseline 1 "$(docker image inspect --format '{{.Size}}' "$baseline_a")" bytes
    largest_paths "$ours_a" ours /opt/hagi/clis
    global_root=$(docker run --rm --name "hagi-bench-npm-$$" --label hagiimages.test=true --entrypoint sh "$baseline_a" -c 'npm root -g')
    largest_paths "$baseline_a" baseline "$global_root"
    meta baseline_global_root "$global_root"

    start_registry
    command_of push "docker tag IMAGE $registry/hagi-bench/VARIANT:TAG && docker push $registry/hagi-bench/VARIANT:TAG"
    run_logged "$out/logs/push-ours-a.log" push "$ours_a" hagi-bench/ai-cli:a
    run_logged "$out/logs/push-baseline-a.log" push "$baseline_a" hagi-bench/ai-cli-baseline:a
    before=$(registry_bytes)
    timed push_s ours 1 push-ours-b push "$ours_b" hagi-bench/ai-cli:b
    middle=$(registry_bytes)
    timed push_s baseline 1 push-baseline-b push "$baseline_b" hagi-bench/ai-cli-baseline:b
    after=$(registry_bytes)
    record pushed_bytes ours 1 $((middle - before)) bytes
    record pushed_bytes baseline 1 $((after - middle)) bytes
    for variant in ours baseline; do
      repository=hagi-bench/ai-cli
      [[ $variant == baseline ]] && repository=hagi-bench/ai-cli-baseline
      python3 "$helper" registry-image "$registry" "$repository" a >"$out/images/registry-$variant-a.json"
      python3 "$helper" registry-image "$registry" "$repository" b >"$out/images/registry-$variant-b.json"
      record size_compressed "$variant" 1 "$(python3 "$helper" compressed-size "$out/images/registry-$variant-a.json")" bytes
      result=$(python3 "$helper" changed-layers \
        "$out/images/registry-$variant-a.json" "$out/images/registry-$variant-b.json" "/opt/hagi/clis/$cli" "$package@")
      read -r count total cli_bytes how <<<"$result"
      meta "changed_cli_layer_$variant" "$how"
      record changed_layers "$variant" 1 "$count" layers
      record changed_layers_bytes "$variant" 1 "$total" bytes
      record changed_cli_layer_bytes "$variant" 1 "$cli_bytes" bytes
    done
    kill "$registry_pid"
    wait "$registry_pid" 2>/dev/null || true
    registry_pid=
    rm -rf "$work/registry"
  fi

  if [[ "$keep_images" != true || $rep -lt $reps ]]; then
    remove_bench_images
  fi
done

echo "SmokeTest (the first run builds cold, later runs reuse the build cache)"
command_of smoke "./build.sh --target SmokeTest --image ai-cli --base-image bootstrap --ca-bundle CA --version 0.0.0-bench.smoke"
prepare_manifest "$(permutation $((reps + 1)))"
for rep in $(seq 1 "$reps"); do
  timed smoke_wall_s ours "$rep" "smoke-$rep" ./build.sh --target SmokeTest --image ai-cli --base-image bootstrap \
    --ca-bundle "$ca_bundle" --version 0.0.0-bench.smoke
  record smoke_build_s ours "$rep" "$(build_seconds "$out/logs/smoke-$rep.log")" s
  record smoke_after_build_s ours "$rep" "$(python3 "$helper" seconds-after "$out/logs/smoke-$rep.log" 'built as [0-9a-f]+ in')" s
done
git checkout -- images/

run_ended=$EPOCHREALTIME
meta duration_s "$(seconds_between "$run_started" "$run_ended")"
meta options "--reps $reps --cli $cli$([[ $keep_images == true ]] && echo ' --keep-images')"
mkdir -p docs
python3 "$helper" page "$out" docs/benchmarks.md
echo "Wrote docs/benchmarks.md and $out/ in $(seconds_between "$run_started" "$run_ended") s"

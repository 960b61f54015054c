#!/usr/bin/env bash
# Supply chain: what NuGet audit can see on this machine, and what it finds (docs/security.md#supply-chain). Part of the
# test command.
#
# Directory.Build.props turns NuGet audit on for every package, direct or transitive, and makes an advisory of moderate
# severity or above fail the restore. The advisories come from the audit sources (NuGet.Config <auditSources>, else the
# package sources), and only from those whose service index offers a VulnerabilityInfo resource: a source without one
# makes the audit check nothing, silently, and `dotnet list package --vulnerable` then says "no vulnerable packages".
# This script says which of the two it is.
#
# Usage: bash scripts/audit.sh     (DOTNET: the dotnet to run, default dotnet; tests put a fake here)
#   exit 0: advisory data was served and no package has a moderate or higher advisory, or no data was served (said so)
#   exit 1: a package has a moderate, high or critical advisory (or the restore failed on one)
set -euo pipefail
cd "$(dirname "$0")/.."
DOTNET=${DOTNET:-dotnet}

status=0
out=$("$DOTNET" list Grocery.Workflows.sln package --vulnerable --include-transitive 2>&1) || status=$?
if [ "$status" -ne 0 ]; then
  printf '%s\n' "$out"
  echo "audit: FAILED: the restore did not pass (an advisory of moderate severity or above fails it): see above" >&2
  exit 1
fi

# The audit sources, as `dotnet list` names them under "The following sources were used:".
mapfile -t sources < <(awk '/^The following sources were used:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }' <<<"$out")
if [ "${#sources[@]}" -eq 0 ]; then
  printf '%s\n' "$out"
  echo "audit: could not tell which sources were asked (dotnet list printed none): advisory data unknown" >&2
  exit 1
fi

serving=()
silent=()
for source in "${sources[@]}"; do
  index=""
  if [[ $source == http*://* ]]; then
    index=$(curl --silent --fail --location --max-time 30 "$source" 2>/dev/null) || index=""
  fi
  if grep -q '"VulnerabilityInfo/' <<<"$index"; then
    serving+=("$source")
  else
    silent+=("$source")
  fi
done

if [ "${#serving[@]}" -eq 0 ]; then
  echo "audit: advisory data unavailable from ${silent[*]}: no VulnerabilityInfo resource in its service index, so NuGet" \
    "audit and 'dotnet list package --vulnerable' checked nothing here (not a clean result; see docs/security.md#supply-chain)"
  exit 0
fi
if [ "${#silent[@]}" -gt 0 ]; then
  echo "audit: advisory data unavailable from ${silent[*]} (no VulnerabilityInfo resource); checked with ${serving[*]}"
fi

if grep -q 'has the following vulnerable packages' <<<"$out"; then
  printf '%s\n' "$out" | sed -n '/has the following vulnerable packages/,$p'
  if grep -Eq '^ *>.*[[:space:]](Moderate|High|Critical)[[:space:]]' <<<"$out"; then
    echo "audit: FAILED: a package above has a moderate, high or critical advisory" >&2
    exit 1
  fi
  echo "audit: low-severity advisories only (listed above); advisory data from ${serving[*]}"
  exit 0
fi
echo "audit: no known vulnerable package, direct or transitive; advisory data from ${serving[*]}"

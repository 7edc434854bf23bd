#!/usr/bin/env bash
# Generates the shell completions and the man page of mangrove-scheduler, from the
# command definitions themselves (swift-argument-parser), into OUT:
#   OUT/completions/mangrove-scheduler.bash, OUT/completions/_mangrove-scheduler (zsh),
#   OUT/completions/mangrove-scheduler.fish, OUT/man/mangrove-scheduler.1
#
#   deploy/generate-docs.sh --binary PATH --out DIR [--no-man]
#
# One script for every packaging path: deploy/install.sh and the .deb build both call it.
# The man page needs the Swift toolchain (the generate-manual plugin of
# swift-argument-parser); without it, or with --no-man, only the completions are made.
set -euo pipefail
readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY=""
OUT=""
MAN=1
while [[ $# -gt 0 ]]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --no-man) MAN=0; shift ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "generate-docs.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ -x "$BINARY" ]] || { echo "generate-docs.sh: --binary PATH must be the built mangrove-scheduler" >&2; exit 1; }
[[ -n "$OUT" ]] || { echo "generate-docs.sh: --out DIR is required" >&2; exit 1; }

mkdir -p "$OUT/completions"
"$BINARY" --generate-completion-script bash > "$OUT/completions/mangrove-scheduler.bash"
"$BINARY" --generate-completion-script zsh > "$OUT/completions/_mangrove-scheduler"
"$BINARY" --generate-completion-script fish > "$OUT/completions/mangrove-scheduler.fish"

if [[ $MAN -eq 1 ]]; then
    if command -v swift >/dev/null 2>&1; then
        mkdir -p "$OUT/man"
        (cd "$REPO_ROOT" && swift package --allow-writing-to-directory "$OUT/man" \
            generate-manual --product mangrove-scheduler --output-directory "$OUT/man" >/dev/null)
        # The plugin names the page after the command; keep one stable file name.
        [[ -f "$OUT/man/mangrove-scheduler.1" ]] || { echo "generate-docs.sh: no man page was generated" >&2; exit 1; }
    else
        echo "generate-docs.sh: swift not found; man page skipped (completions only)" >&2
    fi
fi
echo "generated: $(cd "$OUT" && find . -type f | sort | tr '\n' ' ')"

#!/usr/bin/env bash
# Re-fetch the vendored front-end libraries from the npm registry, at exactly the
# pinned versions below, and put the built files in place under static/vendor/.
#
# Usage (from anywhere):  bash static/vendor/refresh.sh
#
# Needs: npm (registry access only), node, tar. Nothing is installed: each package is
# fetched with `npm pack` into a temporary directory, its tarball checked against the
# pinned integrity hash, and only the files we serve are copied out.
#
# To upgrade a library: change its VERSION and INTEGRITY below
# (`npm view <pkg>@<version> dist.integrity`), run this script, review `git diff`,
# and update the table in README.md.
set -euo pipefail

# --- pinned versions ---------------------------------------------------------------
BOOTSTRAP_VERSION=5.3.9
BOOTSTRAP_INTEGRITY=sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w==
BOOTSTRAP_ICONS_VERSION=1.13.2
BOOTSTRAP_ICONS_INTEGRITY=sha512-fAU1Ly3dH7hwRg+CB8EZ0Vl0fF80zgXHeUVJyfUOKzoURr+TbwISbCW5tKUoQLERaWYG2emTCybcPbD96hdD1A==
HTMX_VERSION=2.0.11
HTMX_INTEGRITY=sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==
CHARTJS_VERSION=4.6.1
CHARTJS_INTEGRITY=sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==
WORLD_ATLAS_VERSION=2.0.2
WORLD_ATLAS_INTEGRITY=sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==
TOPOJSON_CLIENT_VERSION=3.1.0
TOPOJSON_CLIENT_INTEGRITY=sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==
# -------------------------------------------------------------------------------------

VENDOR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch <npm-name> <version> <integrity>: download and unpack the tarball; prints the
# directory holding the package's files.
fetch() {
    local name="$1" version="$2" integrity="$3" dir tgz actual
    dir="$WORK/$name"
    mkdir -p "$dir"
    tgz="$(cd "$dir" && npm pack --ignore-scripts --silent "$name@$version" | tail -n 1)"
    actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$dir/$tgz")"
    if [[ "$actual" != "$integrity" ]]; then
        echo "integrity mismatch for $name@$version: got $actual, pinned $integrity" >&2
        exit 1
    fi
    tar -xzf "$dir/$tgz" -C "$dir"
    echo "$dir/package"
}

# put <destination-dir> <file>...: replace the destination directory's contents.
put() {
    local dest="$VENDOR/$1"
    shift
    install -d "$dest"
    install -m 0644 "$@" "$dest/"
}

# Start each library directory from scratch so renamed/removed upstream files don't linger.
for d in bootstrap bootstrap-icons htmx chartjs world-atlas topojson-client; do
    rm -rf "${VENDOR:?}/$d"
done

echo "bootstrap@$BOOTSTRAP_VERSION"
p="$(fetch bootstrap "$BOOTSTRAP_VERSION" "$BOOTSTRAP_INTEGRITY")"
put bootstrap \
    "$p/dist/css/bootstrap.min.css" "$p/dist/css/bootstrap.min.css.map" \
    "$p/dist/css/bootstrap.rtl.min.css" "$p/dist/css/bootstrap.rtl.min.css.map" \
    "$p/dist/js/bootstrap.bundle.min.js" "$p/dist/js/bootstrap.bundle.min.js.map" \
    "$p/LICENSE"

echo "bootstrap-icons@$BOOTSTRAP_ICONS_VERSION"
p="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION" "$BOOTSTRAP_ICONS_INTEGRITY")"
put bootstrap-icons "$p/font/bootstrap-icons.min.css" "$p/LICENSE"
put bootstrap-icons/fonts "$p/font/fonts/bootstrap-icons.woff2" "$p/font/fonts/bootstrap-icons.woff"

echo "htmx.org@$HTMX_VERSION"
p="$(fetch htmx.org "$HTMX_VERSION" "$HTMX_INTEGRITY")"
put htmx "$p/dist/htmx.min.js" "$p/LICENSE"

echo "chart.js@$CHARTJS_VERSION"
p="$(fetch chart.js "$CHARTJS_VERSION" "$CHARTJS_INTEGRITY")"
put chartjs "$p/dist/chart.umd.min.js" "$p/LICENSE.md"
# The only local change to any vendored file: drop chart.js's trailing
# "//# sourceMappingURL=chart.umd.min.js.map" line. We don't ship that ~1 MB map (it embeds
# the full TypeScript sources), and Django's ManifestStaticFilesStorage (whitenoise's
# CompressedManifestStaticFilesStorage in production) aborts collectstatic when a
# referenced source map is missing.
chart="$VENDOR/chartjs/chart.umd.min.js"
before="$(wc -l <"$chart")"
sed -i '/^\/\/# sourceMappingURL=chart\.umd\.min\.js\.map$/d' "$chart"
if [[ "$(wc -l <"$chart")" -ne $((before - 1)) ]]; then
    echo "expected to strip exactly one sourceMappingURL line from $chart" >&2
    exit 1
fi

echo "world-atlas@$WORLD_ATLAS_VERSION"
p="$(fetch world-atlas "$WORLD_ATLAS_VERSION" "$WORLD_ATLAS_INTEGRITY")"
put world-atlas "$p/countries-110m.json" "$p/LICENSE"

echo "topojson-client@$TOPOJSON_CLIENT_VERSION"
p="$(fetch topojson-client "$TOPOJSON_CLIENT_VERSION" "$TOPOJSON_CLIENT_INTEGRITY")"
put topojson-client "$p/dist/topojson-client.min.js" "$p/LICENSE"

# Sanity checks: every relative url(...) in the CSS and every sourceMappingURL in the
# CSS/JS must point at a file we ship (collectstatic with the manifest storage needs that).
status=0
while IFS= read -r -d '' f; do
    base="$(dirname "$f")"
    while IFS= read -r ref; do
        [[ -z "$ref" || "$ref" =~ ^(data:|https?:|//|/|#) ]] && continue
        target="$base/${ref%%[?#]*}"
        if [[ ! -f "$target" ]]; then
            echo "broken reference in ${f#"$VENDOR"/}: $ref" >&2
            status=1
        fi
    done < <(
        grep -oE 'url\(["'"'"']?[^"'"'"')]+' "$f" | sed -E 's/^url\(["'"'"']?//' || true
        grep -oE 'sourceMappingURL=[^ *]+' "$f" | sed 's/^sourceMappingURL=//' || true
    )
done < <(find "$VENDOR" -type f \( -name '*.css' -o -name '*.js' \) -print0)
[[ $status -eq 0 ]] || exit 1

echo
echo "Done. Files in $VENDOR:"
(cd "$VENDOR" && find . -type f ! -name README.md ! -name refresh.sh | sort | xargs sha256sum)

#!/usr/bin/env bash
# ctest ui_e2e: run tests/ui/e2e.mjs against BUILD's mrfabricd.
#   run.sh MRFABRICD CHASSIS.json BUILD_DIR
# Installs playwright-core from tests/ui/package-lock.json (npm ci) into
# BUILD_DIR/ui-e2e, not into the source tree.  Exits 77 (ctest: skipped)
# only when node or chromium is missing; anything else that goes wrong is
# a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
daemon=$1 chassis=$2 build=$3
chromium=${MRFABRIC_CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP: node is not installed (apt-get install nodejs npm)"
	exit 77
fi
if [ ! -x "$chromium" ]; then
	echo "SKIP: $chromium is not installed (apt-get install chromium)"
	exit 77
fi
mods=$build/ui-e2e
mkdir -p "$mods"
# npm ci again only when the lock file changed
if ! cmp -s "$here/package-lock.json" "$mods/package-lock.json" ||
	[ ! -d "$mods/node_modules/playwright-core" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$mods/"
	(cd "$mods" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/e2e.mjs" --daemon "$daemon" --chassis "$chassis" \
	--out "$build" --modules "$mods" --chromium "$chromium"

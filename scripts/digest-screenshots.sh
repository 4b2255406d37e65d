#!/usr/bin/env bash
# Refresh doc/screenshots/: the HTML digest of tests/data/digest (40 items
# for aigerim, 3 for yerlan, the copies for their supervisor dana) in
# English, Russian and Kazakh, at 375 px (a phone) and 900 px (a desktop
# mail client), rendered by headless Chromium (Debian's `chromium`).
# The test digest::browser renders the same pages and checks them.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
out=doc/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for lang in en ru kk; do
  dir="$work/$lang"
  cp -r tests/data/digest "$dir"
  sed -i "s/language = \"en\"/language = \"$lang\"/" "$dir/docket.toml"
  chmod -R go-rwx "$dir"
  target/debug/docket -c "$dir/docket.toml" run --once --today 2026-12-01 2>/dev/null
  for who in aigerim:40 yerlan:3 dana:team; do
    id=${who%%:*} n=${who#*:}
    eml=$(ls "$dir"/state/outbox/*-"$id"-*.eml)
    python3 -c '
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("html",)).get_content())' "$eml" > "$dir/$id.html"
    for width in 375 900; do
      [ "$n" = team ] && [ "$width" = 375 ] && continue
      python3 scripts/render-html.py "$dir/$id.html" "$width" "$out/digest-$lang-$n-$width.png" >/dev/null
      echo "$out/digest-$lang-$n-$width.png"
    done
  done
done
# Smaller files for the repository: a 64-colour palette, when Pillow is
# there (Debian's python3-pil); the pages are text on flat colours.
if /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
  /usr/bin/python3 - "$out"/digest-*.png <<'PY'
import sys
from PIL import Image
for p in sys.argv[1:]:
    Image.open(p).convert("RGB").quantize(64, method=Image.Quantize.MEDIANCUT).save(p, optimize=True)
PY
fi

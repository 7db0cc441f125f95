#!/bin/sh
# Prints the path of a working Python 3.12+ interpreter, or fails with a clear message.
# pyenv shims exist for versions that are installed but not selected and fail when run,
# so every candidate is actually executed rather than trusted by name.
for candidate in "$PYTHON" python3.14 python3.13 python3.12 python3 python \
    "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
        command -v "$candidate" 2>/dev/null || echo "$candidate"
        exit 0
    fi
done
echo "error: no working Python 3.12 or newer found (tried \$PYTHON, python3.14..python3.12, python3, pyenv versions)." >&2
echo "Install Python 3.12+ or point PYTHON=/path/to/python3.12 at one." >&2
exit 1

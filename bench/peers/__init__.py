"""Scripts run inside the peers' venvs (bench/.venvs/<name>), not imported by the bench.

Each prints one JSON object of figures on its last stdout line (see
bench/sidebyside.py for the keys).
"""

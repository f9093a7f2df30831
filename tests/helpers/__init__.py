"""What several test files (and benchmarks/bench_faults.py) share. `tests/` is on pytest's
`pythonpath`, so tests import `helpers.…`:

- `loopback`: HTTP servers on 127.0.0.1 (the `serve` fixture); `damage`: the database damage
  matrix; `told`: an app's notifications; `waits`: the pilot's waits (`settle`, ...);
  `arabic`: typing and reading Arabic on screen; `screen`: the composed screen as text;
- `cli`: `reader ARGS` in this process on pipes (`run_cli` for a library, `run_piped`);
  `terminal`: `reader ARGS` on a pseudo-terminal in a real process;
- `apps`: `make_app` with the entity model the test process loads once (`shared_extractor`).
"""

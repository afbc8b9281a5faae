# The README's two commands: `make demo` and `make test`. Each does all set-up
# on a fresh Debian 12 machine (packages, configure, build) before it runs.
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CTEST_ARGS ?=

.PHONY: demo test deps build release fuzz fuzz-smoke bench clean

deps:
	./scripts/install-deps

build: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

# Only the fuzz targets: the rest of the tree is already built and tested by `build`.
fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS) --target fuzz_stream_decoder fuzz_update_decoder

demo: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target halink
	./scripts/demo build/release

# Network tests (namespaces, real daemons, timers in real time) run one at a
# time so that they do not steal each other's CPU; the rest in parallel.
test: build fuzz
	cd build/debug && ctest --output-on-failure -j $(JOBS) -LE 'interop|lab' $(CTEST_ARGS)
	cd build/debug && ctest --output-on-failure -L 'interop|lab' $(CTEST_ARGS)
	./scripts/fuzz-smoke build/fuzz $(FUZZ_SECONDS)

bench: release
	./scripts/run-benchmarks build/release

clean:
	rm -rf build

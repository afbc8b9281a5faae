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

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

demo: release
	./scripts/demo build/release

test: build fuzz
	cd build/debug && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	./scripts/fuzz-smoke build/fuzz $(FUZZ_SECONDS)

bench: release
	./scripts/run-benchmarks build/release

clean:
	rm -rf build

# Thin wrapper over Meson + Ninja: the habitual entry points.
#   make            build (build/)
#   make check      install deps, build, run every test; unit tests again under ASan+UBSan
#   make check-system  build, run only the system tests (tests/system, real daemons)
#   make demo       install deps, build, run the demo (see scripts/demo)
#   make bench, make fs-bench   the data path's and the POSIX layers' figures (bench/)
#   make install PREFIX=/usr/local
#   make format     reformat sources with clang-format

PREFIX ?= /usr/local
JOBS ?= 2
BUILD ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

.PHONY: all deps build check check-unit check-asan check-system check-format demo bench fs-bench \
	install \
	format checksrc clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) -j$(JOBS)

check: build
	./scripts/checksrc
	$(MAKE) check-format
	meson test -C $(BUILD) --num-processes $(JOBS) --print-errorlogs
	$(MAKE) check-asan
	@./scripts/test-summary $(BUILD) $(ASAN_BUILD)

$(ASAN_BUILD)/build.ninja:
	CC=clang meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Dasan=true $(MESON_OPTS)

check-asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD) -j$(JOBS)
	meson test -C $(ASAN_BUILD) --num-processes $(JOBS) --print-errorlogs --suite unit --suite fuzz \
		--suite system-asan

check-system: build
	meson test -C $(BUILD) --suite system --print-errorlogs

demo: build
	./scripts/demo --keep $(BUILD)

# The data path's figures beside rpc_bench and vos_bench from the same run.
bench: build
	./bench/data_path $(BUILD)

# The POSIX layers (libdfs, dfuse, libioil, libpil4dfs) beside obj_bench and fio on tmpfs.
fs-bench: build
	./bench/fs_path $(BUILD)

install: build
	meson configure $(BUILD) --prefix=$(PREFIX)
	meson install -C $(BUILD)

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

# Formatting is a gate (STYLE.md section 9): run `make format` to fix what this reports.
check-format:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

checksrc:
	./scripts/checksrc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

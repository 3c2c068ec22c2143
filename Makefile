# The user's door to Vireo. `make demo` and `make check` set up everything
# they need (packages, build, guest images) on a fresh Debian 12 machine.
BUILD ?= build
ASAN  ?= build-asan
FUZZ  ?= build-fuzz
MESON_OPTS ?= --werror

.PHONY: all build asan fuzz-build fuzz reliability deps images web web-if-npm check check-gui check-images check-ceph demo bench install clean
# `make`: everything a user runs, the web UI included when npm is there.
all: build web-if-npm

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

# The sanitizer build: unit tests run under it, and integration tests
# that hunt leaks and races use its daemon.
$(ASAN)/build.ninja:
	meson setup $(ASAN) $(MESON_OPTS) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# The libFuzzer targets (tests/fuzz): clang, ASan/UBSan, coverage
# instrumentation everywhere; only the fuzz targets are built here.
$(FUZZ)/build.ninja:
	CC=clang meson setup $(FUZZ) $(MESON_OPTS) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

fuzz-build: $(FUZZ)/build.ninja
	@ninja -C $(FUZZ) fuzz

build: $(BUILD)/build.ninja
	@ninja -C $(BUILD)

asan: $(ASAN)/build.ninja
	@ninja -C $(ASAN)

images:
	@scripts/build-guest-images

# The web UI: npm packages from package-lock.json, bundled into web/dist
# (what vireod --web serves).
web:
	@cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && node build.mjs

# Without npm the rest is built and one line says what is missing.
web-if-npm:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web; \
	else echo "make: npm not found, so the web UI is not built (apt-get install npm, then make web)"; fi

check: deps
	@$(MAKE) --no-print-directory build asan fuzz-build images web
	@tests/run-all $(BUILD) $(ASAN) $(FUZZ)

# virt-manager under Xvfb against vireod (tests/integration/virt-manager.sh)
# and Cockpit's Machines page in Chromium (tests/integration/cockpit.sh),
# meson suite gui: about three minutes; screenshots in BUILD/gui-artifacts/
# and BUILD/cockpit-artifacts/. Cockpit's page is a browser test: make web
# brings playwright-core.
check-gui: deps
	@$(MAKE) --no-print-directory build asan images web
	@VIREO_ASAN_BUILD="$$PWD/$(ASAN)" meson test -C $(BUILD) --suite gui --print-errorlogs

# vireo builder's full run (tests/integration/images-builder.sh): Debian 12
# from packages with mmdebstrap, booted under TCG, reached on its console
# and over SSH, then built again from the cache; the image tools on the
# result (sparsify, a UEFI boot with Secure Boot, resize of xfs and btrfs),
# Debian 13 (under Secure Boot too).
# Not part of make check: the first build takes several minutes.
check-images: deps
	@$(MAKE) --no-print-directory build images
	@meson test -C $(BUILD) --suite images --print-errorlogs

# rbd pools' full run (tests/integration/storage-ceph.sh, meson suite
# ceph): a single-node Ceph cluster, guests on RBD images, copies across
# pool kinds; about two minutes here. make check runs its short part.
check-ceph: deps
	@$(MAKE) --no-print-directory build asan images
	@VIREO_ASAN_BUILD="$$PWD/$(ASAN)" meson test -C $(BUILD) --suite ceph --print-errorlogs

# Each fuzz target for FUZZ_SECONDS (default 60) over its seeds and what
# earlier runs found (FUZZ/fuzz-corpus); crashes land in FUZZ/fuzz-artifacts.
fuzz: deps fuzz-build
	@tests/fuzz/run-all $(FUZZ)

# The reliability campaigns (kill -9, soak, hostile input, connection
# exhaustion) against real daemons; writes docs/reliability.md. Not part
# of make check: it takes up to ~20 minutes.
reliability: deps
	@$(MAKE) --no-print-directory build asan images
	@tests/reliability/run $(BUILD) $(ASAN)

demo: deps
	@$(MAKE) --no-print-directory build images
	@scripts/demo $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory build images
	@bench/run $(BUILD)

# The system daemon's accounts: group vireo may manage vireo:///system,
# and QEMU runs as vireo-qemu.
install: all
	meson install -C $(BUILD)
	@getent group vireo >/dev/null || groupadd --system vireo
	@id vireo-qemu >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vireo-qemu

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)

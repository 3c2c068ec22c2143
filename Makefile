# The user's door to Vireo. `make demo` and `make check` set up everything
# they need (packages, build, guest images) on a fresh Debian 12 machine.
BUILD ?= build
ASAN  ?= build-asan
MESON_OPTS ?= --werror

.PHONY: all build asan deps images web web-if-npm check demo bench install clean
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
	@$(MAKE) --no-print-directory build asan images web
	@tests/run-all $(BUILD) $(ASAN)

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
	rm -rf $(BUILD) $(ASAN)

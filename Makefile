# kith - GNU Makefile.
#
#   make            build/kith (release, hardened)
#   make demo       install what is missing, build, seed a demo town, serve on :8080
#   make test       install what is missing, build, run every suite (also under ASan+UBSan)
#   make screenshots  run the browser tests and copy their screenshots to docs/screenshots
#   make san        ASan+UBSan build in build/san
#   make fuzz       libFuzzer targets, run for FUZZ_SECONDS each (default 300)
#   make bench      benchmarks against nginx, and SQLite against PostgreSQL; figures for bench/RESULTS.md
#   make soak       SOAK_MINUTES (default 10) at 256 connections, direct and behind nginx
#   make check      static checks: banned functions, layering, long functions, gcc -fanalyzer
#   make clean
#
# Variants build into their own directory (BUILD=build, build/san, build/fuzz)
# from the same sources; generated C (templates, migrations, assets) is shared
# in build/gen.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD ?= build
SAN ?= 0
GEN := build/gen
ASSETS_OUT := build/assets

ifeq ($(origin CC),default)
  CC := gcc
endif
PKG_CONFIG ?= pkg-config
PKGS := libmicrohttpd sqlite3 libpq jansson libsodium libcurl libcmark inih zlib libical

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# HEAD, with "-modified" when what is built into kith differs from it (so a bench
# run on uncommitted code does not name the commit before it).
GIT_REV := $(shell r=$$(git rev-parse --short=12 HEAD 2>/dev/null) || { echo unknown; exit; }; \
	git diff --quiet HEAD -- src templates migrations assets 2>/dev/null || r=$$r-modified; echo $$r)
# The revision is compiled into `kith version` and /metrics: a stamp that
# changes with it rebuilds the two objects that print it.
REV_STAMP := $(BUILD)/revision
$(shell mkdir -p $(BUILD); [ "$$(cat $(REV_STAMP) 2>/dev/null)" = "$(GIT_REV)" ] || echo "$(GIT_REV)" > $(REV_STAMP))

WARN := -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wimplicit-fallthrough -Wvla \
	-Wwrite-strings -fno-common
HARDEN := -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
	-fstack-clash-protection -fcf-protection=full -fPIE
HARDEN_LD := -pie -Wl,-z,relro,-z,now,-z,noexecstack

ifeq ($(SAN),1)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
  LDSAN := -fsanitize=address,undefined
  HARDEN := -fstack-protector-strong -fPIE
else
  OPT := -O2 -g
  LDSAN :=
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcrack -lstemmer -lpthread -lm

CPPFLAGS += -Isrc -DKITH_VERSION='"$(VERSION)"' -DKITH_REVISION='"$(GIT_REV)"'
CFLAGS += $(WARN) $(OPT) $(HARDEN) $(PKG_CFLAGS) -MMD -MP
LDFLAGS += $(HARDEN_LD) $(LDSAN)
LDLIBS += $(PKG_LIBS)

# ---------------------------------------------------------------- sources
MAIN_SRC := src/app/main.c
LIB_SRC := $(filter-out $(MAIN_SRC),$(sort $(shell find src -name '*.c')))
GEN_SRC := $(GEN)/templates.c $(GEN)/migrations.c $(GEN)/assets.c $(GEN)/data.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(GEN_SRC:$(GEN)/%.c=$(BUILD)/obj/gen/%.o)

TEMPLATES := $(sort $(shell find templates -type f 2>/dev/null))
MIGRATIONS := $(sort $(wildcard migrations/*.sql))
# Data compiled into the binary: postcode centroids, the ORUK OpenAPI file
# and the demo town's words (data/demo/README.md).
DATA_FILES := data/postcodes/uk_postcode_sectors.csv data/postcodes/uk_postcode_districts.csv \
	data/search/words.txt \
	data/oruk/3.0/openapi.json $(sort $(wildcard data/demo/*.csv))
SCSS := $(sort $(wildcard assets/scss/*.scss))
STATIC := $(sort $(wildcard assets/static/*))
ASSET_FILES := $(ASSETS_OUT)/kith.css $(ASSETS_OUT)/kith.js $(STATIC:assets/static/%=$(ASSETS_OUT)/%)
GOVUK_JS := node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
REQ_SRC := $(sort $(wildcard tests/request/test_*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(REQ_SRC:tests/request/%.c=$(BUILD)/tests/%)
SUPPORT_OBJ := $(SUPPORT_SRC:%.c=$(BUILD)/obj/%.o)
# Objects made only as prerequisites are not intermediates to delete.
.SECONDARY: $(SUPPORT_OBJ)
# A recipe that fails leaves no half-made file behind (sass writes its
# error into the CSS it was making).
.DELETE_ON_ERROR:

# ---------------------------------------------------------------- targets
.PHONY: all deps demo test test-only screenshots san fuzz fuzz-build bench soak check clean tests

all: $(BUILD)/kith tests

tests: $(TEST_BINS)

deps:
	@scripts/install-deps.sh

$(BUILD)/kith: $(BUILD)/obj/$(MAIN_SRC:.c=.o) $(BUILD)/libkith.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/libkith.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/gen/%.o: $(GEN)/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(filter-out -Wmissing-prototypes,$(CFLAGS)) -c -o $@ $<

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/src/app/main.o $(BUILD)/obj/src/app/metrics.o: $(REV_STAMP)

# Test binaries: cmocka, linked against the library and tests/support
# (throwaway databases, in-process requests).
$(BUILD)/tests/%: tests/unit/%.c $(SUPPORT_OBJ) $(BUILD)/libkith.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libkith.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/request/%.c $(SUPPORT_OBJ) $(BUILD)/libkith.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -o $@ $< $(SUPPORT_OBJ) $(BUILD)/libkith.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/obj/tests/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -c -o $@ $<

# ---------------------------------------------------------------- generated
build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -o $@ $<

$(GEN)/templates.c: build/tools/embed $(TEMPLATES)
	@mkdir -p $(@D)
	build/tools/embed files embedded_templates $@ templates $(TEMPLATES)

$(GEN)/migrations.c: build/tools/embed $(MIGRATIONS)
	@mkdir -p $(@D)
	build/tools/embed files embedded_migrations $@ migrations $(MIGRATIONS)

$(GEN)/data.c: build/tools/embed $(DATA_FILES)
	@mkdir -p $(@D)
	build/tools/embed files embedded_data $@ data $(DATA_FILES)

$(GEN)/assets.c: build/tools/embed $(ASSET_FILES) $(ASSET_FILES:%=%.gz)
	@mkdir -p $(@D)
	build/tools/embed assets $@ $(ASSET_FILES)

$(ASSETS_OUT)/kith.css: $(SCSS) node_modules/.kith-installed
	@mkdir -p $(@D)
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
		--load-path=node_modules assets/scss/kith.scss $@

# The one script: GOV.UK Frontend's ES module (without its source map
# comment) with assets/js/kith.js after it, in the module's scope. It calls
# createAll, Radios and Checkboxes by name: stop if a new release renames
# them.
$(ASSETS_OUT)/kith.js: assets/js/kith.js node_modules/.kith-installed
	@mkdir -p $(@D)
	@for name in 'function createAll(' 'class Radios' 'class Checkboxes'; do \
		grep -qF "$$name" $(GOVUK_JS) || { echo "$(GOVUK_JS) has no $$name" >&2; exit 1; }; done
	sed 's|//# sourceMappingURL=.*$$||' $(GOVUK_JS) > $@.tmp
	printf '\n' >> $@.tmp
	cat assets/js/kith.js >> $@.tmp
	mv $@.tmp $@

$(ASSETS_OUT)/%: assets/static/%
	@mkdir -p $(@D)
	cp $< $@

$(ASSETS_OUT)/%.gz: $(ASSETS_OUT)/%
	gzip -9 -n -c $< > $@

# A fresh clone has no node_modules: install the npm packages pinned in
# package-lock.json (install-deps.sh's npm part) rather than stop. When
# they are there, a newer lock file is install-deps.sh's to act on (make
# deps, make test, make demo); here it only marks them as seen.
node_modules/.kith-installed: package-lock.json
	@if [ ! -x node_modules/.bin/sass ]; then \
		rm -f node_modules/.kith-installed; scripts/install-deps.sh npm; fi
	@touch $@

# ---------------------------------------------------------------- variants
san:
	$(MAKE) BUILD=build/san SAN=1 all

FUZZ_SECONDS ?= 300
fuzz-build:
	@scripts/fuzz.sh build
fuzz: fuzz-build
	@scripts/fuzz.sh run $(FUZZ_SECONDS)

# ---------------------------------------------------------------- top level
demo: deps
	$(MAKE) all
	@scripts/demo.sh

# test.sh builds both variants itself, so a build failure is reported in
# the same "N passed, N failed" totals as everything else.
test: deps
	@scripts/test.sh

# The suites without the install step (quick local iterations):
#   make test-only SUITES="unit blackbox"
# (the default list includes timeshift: the unit and request binaries
# again under faketime; leave it out of SUITES to save a few minutes).
test-only:
	@SUITES="$(SUITES)" scripts/test.sh

# The browser tests write screenshots to build/screenshots on every run;
# only this target copies them into docs/screenshots, and only when every
# browser test passed.
screenshots: $(BUILD)/kith
	@rm -rf build/screenshots
	KITH_BIN=$(CURDIR)/$(BUILD)/kith node --test --test-concurrency=1 tests/browser/
	@mkdir -p docs/screenshots
	cp build/screenshots/*.png docs/screenshots/

bench: deps
	$(MAKE) all
	@bench/pages.sh
	@bench/run.sh
	@bench/backends.sh
	@bench/match.sh
	@bench/talk.sh
	@bench/timebank.sh

SOAK_MINUTES ?= 10
soak: deps
	$(MAKE) all
	@bench/soak.sh --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

check:
	@scripts/check-banned.sh
	@scripts/check-layers.sh
	@scripts/long-functions.sh
	$(MAKE) BUILD=build/analyzer OPT="-O1 -fanalyzer" build/analyzer/libkith.a

clean:
	rm -rf build

# Benchmark programs (bench/*.c) have their own rules.
-include bench/bench.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

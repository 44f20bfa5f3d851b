# bench/bench.mk - benchmark programs: $(BUILD)/bench/NAME from bench/NAME.c,
# linked against the library and the same libraries as kith itself.
#
# Included by the Makefile; on its own:
#   make -f Makefile -f bench/bench.mk build/bench/search_bench
ifndef KITH_BENCH_MK
KITH_BENCH_MK := 1

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: bench-build
bench-build: $(BENCH_BINS) $(BUILD)/bench/match_lemon

# The matching benchmark's reference, LEMON's NetworkSimplex (C++, Debian's
# liblemon-dev): a yardstick in bench/ only, never linked into kith.
$(BUILD)/bench/match_lemon: bench/match_lemon.cc
	@mkdir -p $(@D)
	$(CXX) -O2 -std=c++17 -o $@ $< $$(pkg-config --libs lemon)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libkith.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libkith.a $(LDFLAGS) $(LDLIBS)

-include $(wildcard $(BUILD)/bench/*.d)

endif

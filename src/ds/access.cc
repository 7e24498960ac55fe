#include "ds/access.h"

#include <sys/mman.h>

#include <mutex>
#include <random>

namespace stmkv::access {

namespace detail {
std::atomic<uint32_t*> g_table{nullptr};
std::atomic<uint64_t> g_slots{0};
std::atomic<bool> g_lfu{false};
}  // namespace detail

namespace {

std::atomic<int64_t> g_log_factor{10};
std::atomic<int64_t> g_decay_time{1};
std::mutex g_init_mu;

// Redis's LFUTimeElapsed: minutes since ldt, modulo 2^16.
uint32_t lfu_elapsed(uint32_t ldt, int64_t now_ms) {
  uint32_t now = lfu_minutes(now_ms);
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

uint32_t lfu_decr(uint32_t v, int64_t now_ms) {
  uint32_t ldt = v >> 8, counter = v & 255;
  int64_t decay = g_decay_time.load(std::memory_order_relaxed);
  uint32_t periods = decay > 0 ? uint32_t(lfu_elapsed(ldt, now_ms) / uint64_t(decay)) : 0;
  if (periods != 0) counter = periods > counter ? 0 : counter - periods;
  return counter;
}

// Redis's LFULogIncr.
uint32_t lfu_log_incr(uint32_t counter) {
  if (counter == 255) return 255;
  thread_local std::minstd_rand rng(std::random_device{}());
  double r = double(rng() - rng.min()) / double(rng.max() - rng.min());
  double base = double(counter) - kLfuInitVal;
  if (base < 0) base = 0;
  double p = 1.0 / (base * double(g_log_factor.load(std::memory_order_relaxed)) + 1);
  if (r < p) ++counter;
  return counter;
}

}  // namespace

void init(size_t heap_bytes) {
  std::lock_guard<std::mutex> g(g_init_mu);
  uint64_t slots = (heap_bytes + 63) / 64;
  if (slots <= detail::g_slots.load()) return;
  void* p = mmap(nullptr, slots * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;   // no table: clocks read as 0 (eviction samples stay random)
  // The old table (a smaller heap of an earlier server in this process) is left mapped: a
  // thread may still be storing into it.
  detail::g_slots.store(0);
  detail::g_table.store(static_cast<uint32_t*>(p));
  detail::g_slots.store(slots);
}

void configure(bool lfu, int64_t lfu_log_factor, int64_t lfu_decay_time) {
  g_log_factor.store(lfu_log_factor, std::memory_order_relaxed);
  g_decay_time.store(lfu_decay_time, std::memory_order_relaxed);
  detail::g_lfu.store(lfu, std::memory_order_relaxed);
}

bool lfu_mode() { return detail::g_lfu.load(std::memory_order_relaxed); }

void detail::touch_lfu(std::atomic<uint32_t>& slot, int64_t now_ms) {
  uint32_t v = slot.load(std::memory_order_relaxed);
  uint32_t counter = lfu_log_incr(lfu_decr(v, now_ms));
  uint32_t nv = (lfu_minutes(now_ms) << 8) | counter;
  if (nv != v) slot.store(nv, std::memory_order_relaxed);
}

void init_entry(uint64_t entry_off, int64_t now_ms) {
  std::atomic<uint32_t>* s = detail::slot(entry_off);
  if (s == nullptr) return;
  s->store(lfu_mode() ? (lfu_minutes(now_ms) << 8) | kLfuInitVal : lru_clock(now_ms),
           std::memory_order_relaxed);
}

uint32_t get(uint64_t entry_off) {
  std::atomic<uint32_t>* s = detail::slot(entry_off);
  return s == nullptr ? 0 : s->load(std::memory_order_relaxed);
}

void set(uint64_t entry_off, uint32_t value) {
  if (std::atomic<uint32_t>* s = detail::slot(entry_off); s != nullptr) {
    s->store(value & kLruClockMax, std::memory_order_relaxed);
  }
}

void set_idle(uint64_t entry_off, int64_t idle_ms, int64_t now_ms) {
  // Redis's objectSetLRUOrLFU: clock - idle seconds, wrapping into the clock's range.
  int64_t clock = int64_t(lru_clock(now_ms)) - idle_ms / int64_t(kLruResolutionMs);
  if (clock < 0) clock += kLruClockMax;
  set(entry_off, uint32_t(clock));
}

void set_freq(uint64_t entry_off, int freq, int64_t now_ms) {
  set(entry_off, (lfu_minutes(now_ms) << 8) | uint32_t(freq & 255));
}

uint64_t idle_ms(uint64_t entry_off, int64_t now_ms) {
  uint32_t lru = get(entry_off), clock = lru_clock(now_ms);
  uint64_t d = clock >= lru ? clock - lru : clock + (kLruClockMax - lru);
  return d * kLruResolutionMs;
}

uint32_t lfu_counter(uint64_t entry_off, int64_t now_ms) {
  return lfu_decr(get(entry_off), now_ms);
}

}  // namespace stmkv::access

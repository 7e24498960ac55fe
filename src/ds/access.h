// ds/access.h — per-key access clocks (Redis's robj->lru field: a 24-bit LRU clock, or an LFU
// counter with its last decrement time) in a side table outside the STM heap, so that reading a
// key never writes the heap (no read-write conflicts between readers of a hot key).
//
// The table holds one uint32 per 64-byte heap slot, indexed by an Entry's heap offset / 64
// (entries are 64-byte objects), reserved sparse (MAP_NORESERVE) for the whole heap: only the
// pages of slots that hold entries are ever touched. Stores are relaxed atomics: a value written
// by an aborted attempt, or left by a freed entry, is a stale hint, never an error.
// Thread-safety: every function may be called from any thread at any time after init().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace stmkv::access {

inline constexpr uint32_t kLruClockMax = (1u << 24) - 1;   // Redis's LRU_CLOCK_MAX
inline constexpr uint32_t kLruResolutionMs = 1000;         // LRU_CLOCK_RESOLUTION
inline constexpr uint8_t kLfuInitVal = 5;                  // LFU_INIT_VAL

// Reserves the table for a heap of heap_bytes (call at start-up; a later call for a larger heap
// replaces the table, for tests that create several servers).
void init(size_t heap_bytes);

// Which meaning the 24 bits have: LRU clock (default) or LFU (ldt << 8 | counter). Set from
// maxmemory-policy; lfu-log-factor and lfu-decay-time tune the LFU counter as Redis.
void configure(bool lfu, int64_t lfu_log_factor, int64_t lfu_decay_time);
bool lfu_mode();

// Redis's LRU_CLOCK() and LFUGetTimeInMinutes() at now_ms.
inline uint32_t lru_clock(int64_t now_ms) {
  return uint32_t(uint64_t(now_ms) / kLruResolutionMs) & kLruClockMax;
}
inline uint32_t lfu_minutes(int64_t now_ms) { return uint32_t(uint64_t(now_ms) / 60000) & 65535; }

namespace detail {
extern std::atomic<uint32_t*> g_table;
extern std::atomic<uint64_t> g_slots;
extern std::atomic<bool> g_lfu;
void touch_lfu(std::atomic<uint32_t>& slot, int64_t now_ms);
inline std::atomic<uint32_t>* slot(uint64_t entry_off) {
  uint32_t* t = g_table.load(std::memory_order_relaxed);
  uint64_t i = entry_off >> 6;
  if (t == nullptr || i >= g_slots.load(std::memory_order_relaxed)) return nullptr;
  return reinterpret_cast<std::atomic<uint32_t>*>(t + i);
}
}  // namespace detail

// An access to (or write of) the entry at heap offset entry_off: Redis's updateLRU/updateLFU.
// Skips the store when the value would not change (hot keys read on several workers do not
// bounce the cache line every time).
inline void touch(uint64_t entry_off, int64_t now_ms) {
  std::atomic<uint32_t>* s = detail::slot(entry_off);
  if (s == nullptr) return;
  if (detail::g_lfu.load(std::memory_order_relaxed)) {
    detail::touch_lfu(*s, now_ms);
    return;
  }
  uint32_t c = lru_clock(now_ms);
  if (s->load(std::memory_order_relaxed) != c) s->store(c, std::memory_order_relaxed);
}
// Starts loading the entry's slot into the cache (a lookup calls it as soon as it knows the
// entry, so that the touch that follows does not wait for memory).
inline void prefetch(uint64_t entry_off) {
  if (std::atomic<uint32_t>* s = detail::slot(entry_off)) __builtin_prefetch(s, 1, 1);
}
// A new entry: Redis's createObject (LRU clock, or LFU_INIT_VAL with the current minute).
void init_entry(uint64_t entry_off, int64_t now_ms);

// The raw 24-bit value (0 when out of range).
uint32_t get(uint64_t entry_off);
// Sets the raw value (RESTORE IDLETIME/FREQ, tests).
void set(uint64_t entry_off, uint32_t value);
// Sets an LRU value idle_ms ago / an LFU counter (Redis's objectSetLRUOrLFU).
void set_idle(uint64_t entry_off, int64_t idle_ms, int64_t now_ms);
void set_freq(uint64_t entry_off, int freq, int64_t now_ms);

// Redis's estimateObjectIdleTime (LRU meaning): ms since the last access.
uint64_t idle_ms(uint64_t entry_off, int64_t now_ms);
// Redis's LFUDecrAndReturn (LFU meaning): the counter after the decay due by now.
uint32_t lfu_counter(uint64_t entry_off, int64_t now_ms);

}  // namespace stmkv::access

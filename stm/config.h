// stm/config.h — tunables of the transactional engine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN

// Settings of one Heap. Fixed at construction; every field has a usable default.
struct Config {
  // Size of the heap's address space (sparse: only touched pages use memory). Rounded up to
  // whole pages.
  size_t heap_bytes = size_t{1} << 30;
  // Number of worker segments (views). At most this many Workers may be attached at once.
  // Every page switch populates this many views, so keep it to the number of threads that run
  // transactions. 1..63.
  int max_workers = 4;
  // log2 of the entries in each worker's read-marker table (2 bytes each).
  int marker_bits = 20;
  // Consecutive aborts after which the next attempt runs inevitable (cannot abort).
  int inevitable_after = 8;
  // Re-share cold private pages when reshare_cold_pages() is called.
  bool reshare = true;
  // How long (microseconds) a transaction waits for a page switch before aborting itself.
  uint32_t switch_wait_us = 2000;

  // --- Test hooks (off by default) ---
  // Probability (0..1) that a write barrier slow path, an allocation or a commit throws an
  // injected abort (never for inevitable transactions).
  double inject_abort_rate = 0.0;
  // Place every allocation on shared pages, so that every first write to an old object
  // switches its page (stress of the page state machine).
  bool debug_no_mutable_pages = false;
  // Every this many commits (0 = never), the committer marks all cold private pages for
  // re-sharing with age 0.
  uint32_t debug_reshare_every = 0;
  // Fill reclaimed objects with 0xdb (shared pages) before reuse.
  bool debug_poison = false;
};

STM_ABI_END
}  // namespace stm

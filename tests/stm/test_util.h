// Helpers shared by the engine tests.
#pragma once

#include <cstdlib>
#include <string>

#include "stm/stm.h"

namespace stm_test {

// Scales iteration counts: STMKV_STRESS_SCALE (default 1) shrinks them under sanitizers.
inline double stress_scale() {
  const char* s = std::getenv("STMKV_STRESS_SCALE");
  return s != nullptr ? std::atof(s) : 1.0;
}
inline long scaled(long n) {
  long v = static_cast<long>(static_cast<double>(n) * stress_scale());
  return v < 1 ? 1 : v;
}

inline stm::Config small_config(int workers) {
  stm::Config c;
  c.heap_bytes = size_t{256} << 20;
  c.max_workers = workers;
  c.marker_bits = 16;
  return c;
}

}  // namespace stm_test

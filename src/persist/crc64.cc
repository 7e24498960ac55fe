#include "persist/crc64.h"

namespace stmkv::persist {

namespace {

// The reflected form of 0xad93d23594c935a9.
constexpr uint64_t kPolyReflected = 0x95ac9329ac4bc9b5ULL;

// Slice-by-8 tables: t[0] is the byte-at-a-time table, t[k][i] advances t[k-1][i] by one byte.
struct Tables {
  uint64_t t[8][256];
  Tables() {
    for (int i = 0; i < 256; ++i) {
      uint64_t c = static_cast<uint64_t>(i);
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
      t[0][i] = c;
    }
    for (int i = 0; i < 256; ++i) {
      for (int k = 1; k < 8; ++k) t[k][i] = t[0][t[k - 1][i] & 0xff] ^ (t[k - 1][i] >> 8);
    }
  }
};

const Tables& tables() {
  static const Tables tab;
  return tab;
}

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t len) {
  const Tables& tb = tables();
  const auto* p = static_cast<const unsigned char*>(data);
  while (len >= 8) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    crc ^= v;
    crc = tb.t[7][crc & 0xff] ^ tb.t[6][(crc >> 8) & 0xff] ^ tb.t[5][(crc >> 16) & 0xff] ^
          tb.t[4][(crc >> 24) & 0xff] ^ tb.t[3][(crc >> 32) & 0xff] ^ tb.t[2][(crc >> 40) & 0xff] ^
          tb.t[1][(crc >> 48) & 0xff] ^ tb.t[0][crc >> 56];
    p += 8;
    len -= 8;
  }
  while (len-- > 0) crc = tb.t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace stmkv::persist

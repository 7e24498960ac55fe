#include "persist/lzf.h"

#include <cstring>
#include <vector>

namespace stmkv::persist {

namespace {

constexpr size_t kMaxLiteral = 32;         // literals per run
constexpr size_t kMaxOffset = 8192;        // distance of a back reference
constexpr size_t kMaxMatch = 7 + 255 + 2;  // bytes of one back reference
constexpr int kHashBits = 14;

inline uint32_t hash3(const unsigned char* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

size_t lzf_compress(std::string_view input, char* output, size_t out_cap) {
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  auto* out = reinterpret_cast<unsigned char*>(output);
  size_t n = input.size();
  if (n == 0 || out_cap == 0) return 0;
  // As liblzf, the hash table is not cleared between calls: a stale position is either not
  // before ip (rejected) or inside this input, and every candidate is checked by memcmp. One
  // table per thread (a save compresses every value).
  static thread_local std::vector<int64_t> table(size_t{1} << kHashBits, -1);
  size_t ip = 0, op = 0;
  size_t ctrl = op++;  // control byte of the current literal run
  size_t lit = 0;
  auto end_literals = [&] {
    if (lit == 0) {
      --op;  // the run is empty: drop its control byte
    } else {
      out[ctrl] = static_cast<unsigned char>(lit - 1);
    }
  };
  while (ip < n) {
    if (ip + 2 < n) {
      uint32_t h = hash3(in + ip);
      int64_t ref = table[h];
      table[h] = static_cast<int64_t>(ip);
      if (ref >= 0 && ip - static_cast<size_t>(ref) - 1 < kMaxOffset &&
          std::memcmp(in + ref, in + ip, 3) == 0) {
        size_t max_len = std::min(n - ip, kMaxMatch);
        size_t len = 3;
        while (len < max_len && in[ref + len] == in[ip + len]) ++len;
        end_literals();
        size_t off = ip - static_cast<size_t>(ref) - 1;
        size_t l = len - 2;
        if (op + 3 + 1 > out_cap) return 0;
        if (l < 7) {
          out[op++] = static_cast<unsigned char>((l << 5) | (off >> 8));
        } else {
          out[op++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
          out[op++] = static_cast<unsigned char>(l - 7);
        }
        out[op++] = static_cast<unsigned char>(off & 0xff);
        // Index the positions inside the match so later data can refer to them.
        for (size_t k = ip + 1; k < ip + len && k + 2 < n; ++k) {
          table[hash3(in + k)] = static_cast<int64_t>(k);
        }
        ip += len;
        ctrl = op++;
        lit = 0;
        continue;
      }
    }
    if (op + 1 > out_cap) return 0;
    out[op++] = in[ip++];
    if (++lit == kMaxLiteral) {
      out[ctrl] = static_cast<unsigned char>(lit - 1);
      if (op + 1 > out_cap) return 0;
      ctrl = op++;
      lit = 0;
    }
  }
  end_literals();
  return op;
}

bool lzf_decompress(std::string_view input, size_t out_len, std::string* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  size_t n = input.size();
  out->assign(out_len, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out->data());
  size_t ip = 0, op = 0;
  while (ip < n) {
    unsigned c = in[ip++];
    if (c < 32) {
      size_t len = c + 1;
      if (ip + len > n || op + len > out_len) return false;
      std::memcpy(o + op, in + ip, len);
      ip += len;
      op += len;
    } else {
      size_t len = c >> 5;
      if (len == 7) {
        if (ip >= n) return false;
        len += in[ip++];
      }
      if (ip >= n) return false;
      size_t back = ((c & 0x1f) << 8) + in[ip++] + 1;
      len += 2;
      if (back > op || op + len > out_len) return false;
      for (size_t k = 0; k < len; ++k, ++op) o[op] = o[op - back];
    }
  }
  return op == out_len;
}

}  // namespace stmkv::persist

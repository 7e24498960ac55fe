#include "ds/hll.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace stmkv::hll {

namespace {

constexpr uint8_t kRegisterMax = 63;
constexpr int kSparseValMaxValue = 32;
constexpr int kSparseValMaxLen = 4;
constexpr int kSparseZeroMaxLen = 64;
constexpr int kSparseXZeroMaxLen = 16384;
constexpr double kAlphaInf = 0.721347520444481703680;  // 0.5 / ln(2)

// --- sparse opcodes ---
bool is_zero(uint8_t b) { return (b & 0xc0) == 0; }
bool is_xzero(uint8_t b) { return (b & 0xc0) == 0x40; }
bool is_val(uint8_t b) { return (b & 0x80) != 0; }
int zero_len(uint8_t b) { return (b & 0x3f) + 1; }
int xzero_len(uint8_t b0, uint8_t b1) { return (((b0 & 0x3f) << 8) | b1) + 1; }
int val_value(uint8_t b) { return ((b >> 2) & 0x1f) + 1; }
int val_len(uint8_t b) { return (b & 0x3) + 1; }
uint8_t val_op(int value, int len) { return uint8_t(((value - 1) << 2) | (len - 1) | 0x80); }

// Byte i of s, or 0 past the end (Redis reads the sds terminator there).
uint8_t byte_at(std::string_view s, size_t i) { return i < s.size() ? uint8_t(s[i]) : 0; }

// Appends a run of `len` zero registers (ZERO or XZERO) to a sequence.
void put_zeros(uint8_t** n, int len) {
  if (len > kSparseZeroMaxLen) {
    int l = len - 1;
    (*n)[0] = uint8_t((l >> 8) | 0x40);
    (*n)[1] = uint8_t(l & 0xff);
    *n += 2;
  } else {
    (*n)[0] = uint8_t(len - 1);
    *n += 1;
  }
}

uint8_t get_reg(const uint8_t* regs, size_t nbytes, long i) {
  size_t byte = size_t(i) * 6 / 8;
  unsigned fb = unsigned(i * 6) & 7;
  unsigned long b0 = regs[byte];
  unsigned long b1 = byte + 1 < nbytes ? regs[byte + 1] : 0;
  return uint8_t(((b0 >> fb) | (b1 << (8 - fb))) & kRegisterMax);
}

void set_reg(uint8_t* regs, size_t nbytes, long i, uint8_t v) {
  size_t byte = size_t(i) * 6 / 8;
  unsigned fb = unsigned(i * 6) & 7;
  unsigned fb8 = 8 - fb;
  regs[byte] = uint8_t((regs[byte] & ~(kRegisterMax << fb)) | (unsigned(v) << fb));
  if (byte + 1 < nbytes) {
    regs[byte + 1] = uint8_t((regs[byte + 1] & ~(kRegisterMax >> fb8)) | (unsigned(v) >> fb8));
  }
}

uint8_t* dense_regs(std::string* hll) {
  return reinterpret_cast<uint8_t*>(hll->data()) + kHeaderSize;
}

// Raises a dense register; 1 when it changed.
int dense_set(std::string* hll, long index, uint8_t count) {
  uint8_t* regs = dense_regs(hll);
  size_t nbytes = hll->size() - kHeaderSize;
  if (count > get_reg(regs, nbytes, index)) {
    set_reg(regs, nbytes, index, count);
    return 1;
  }
  return 0;
}

// The histogram of register values of a sketch; false for a corrupt sparse one.
bool histogram(std::string_view hll, int* histo) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
  size_t nbytes = hll.size() - kHeaderSize;
  if (encoding(hll) == kDense) {
    for (long i = 0; i < kRegisters; ++i) histo[get_reg(p, nbytes, i)]++;
    return true;
  }
  long idx = 0;
  size_t i = 0;
  while (i < nbytes) {
    uint8_t b = p[i];
    if (is_zero(b)) {
      idx += zero_len(b);
      histo[0] += zero_len(b);
      i += 1;
    } else if (is_xzero(b)) {
      int len = xzero_len(b, i + 1 < nbytes ? p[i + 1] : 0);
      idx += len;
      histo[0] += len;
      i += 2;
    } else {
      idx += val_len(b);
      histo[val_value(b)] += val_len(b);
      i += 1;
    }
  }
  return idx == kRegisters;
}

// Ertl's sigma and tau ("New cardinality estimation algorithms for HyperLogLog sketches").
double sigma(double x) {
  if (x == 1.) return INFINITY;
  double z_prev;
  double y = 1;
  double z = x;
  do {
    x *= x;
    z_prev = z;
    z += x * y;
    y += y;
  } while (z_prev != z);
  return z;
}

double tau(double x) {
  if (x == 0. || x == 1.) return 0.;
  double z_prev;
  double y = 1.0;
  double z = 1 - x;
  do {
    x = std::sqrt(x);
    z_prev = z;
    y *= 0.5;
    z -= (1 - x) * (1 - x) * y;
  } while (z_prev != z);
  return z / 3;
}

uint64_t estimate(const int* histo) {
  double m = kRegisters;
  double z = m * tau((m - histo[kQ + 1]) / m);
  for (int j = kQ; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  return uint64_t(std::llround(kAlphaInf * m * m / z));
}

}  // namespace

bool is_valid(std::string_view b) {
  if (b.size() < kHeaderSize) return false;
  if (b.substr(0, 4) != "HYLL") return false;
  uint8_t enc = encoding(b);
  if (enc > kSparse) return false;
  if (enc == kDense && b.size() != kDenseSize) return false;
  return true;
}

std::string create() {
  std::string s(kHeaderSize, '\0');
  std::memcpy(s.data(), "HYLL", 4);
  s[4] = char(kSparse);
  for (int left = kRegisters; left > 0;) {
    int run = left < kSparseXZeroMaxLen ? left : kSparseXZeroMaxLen;
    uint8_t seq[2];
    uint8_t* n = seq;
    put_zeros(&n, run);
    s.append(reinterpret_cast<char*>(seq), size_t(n - seq));
    left -= run;
  }
  return s;
}

uint64_t murmur64a(const void* key, size_t len, uint64_t seed) {
  const uint64_t m = 0xc6a4a7935bd1e995ULL;
  const int r = 47;
  uint64_t h = seed ^ (uint64_t(int(len)) * m);
  const uint8_t* data = static_cast<const uint8_t*>(key);
  const uint8_t* end = data + (len - (len & 7));
  while (data != end) {
    uint64_t k = 0;
    for (int i = 7; i >= 0; --i) k = (k << 8) | data[i];
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
    data += 8;
  }
  size_t tail = len & 7;
  if (tail != 0) {
    for (size_t i = tail; i-- > 0;) h ^= uint64_t(data[i]) << (8 * i);
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

int pattern_len(std::string_view element, long* index) {
  uint64_t hash = murmur64a(element.data(), element.size(), 0xadc83b19ULL);
  *index = long(hash & (kRegisters - 1));
  hash >>= kP;
  hash |= uint64_t{1} << kQ;  // the run ends by bit Q at the latest
  int count = 1;
  for (uint64_t bit = 1; (hash & bit) == 0; bit <<= 1) ++count;
  return count;
}

bool to_dense(std::string* hll) {
  if (encoding(*hll) == kDense) return true;
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), hll->data(), kHeaderSize);  // magic and cached cardinality
  dense[4] = char(kDense);
  uint8_t* regs = dense_regs(&dense);
  size_t nbytes = kDenseSize - kHeaderSize;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(hll->data());
  size_t i = kHeaderSize, end = hll->size();
  long idx = 0;
  while (i < end) {
    uint8_t b = p[i];
    if (is_zero(b)) {
      idx += zero_len(b);
      i += 1;
    } else if (is_xzero(b)) {
      idx += xzero_len(b, byte_at(*hll, i + 1));
      i += 2;
    } else {
      int run = val_len(b), value = val_value(b);
      if (run + idx > kRegisters) break;  // overflow: corrupt
      while (run--) set_reg(regs, nbytes, idx++, uint8_t(value));
      i += 1;
    }
  }
  if (idx != kRegisters) return false;
  *hll = std::move(dense);
  return true;
}

int set_register(std::string* hll, long index, uint8_t count, size_t sparse_max_bytes) {
  if (encoding(*hll) == kDense) return dense_set(hll, index, count);
  auto promote = [&] {
    if (!to_dense(hll)) return -1;
    return dense_set(hll, index, count);
  };
  if (count > kSparseValMaxValue) return promote();

  // Step 1: find the opcode covering `index`.
  std::string& s = *hll;
  size_t p = kHeaderSize, end = s.size();
  long first = 0, span = 0;
  size_t prev = 0;
  bool has_prev = false;
  while (p < end) {
    uint8_t b = uint8_t(s[p]);
    size_t oplen = 1;
    if (is_zero(b)) {
      span = zero_len(b);
    } else if (is_val(b)) {
      span = val_len(b);
    } else {
      span = xzero_len(b, byte_at(s, p + 1));
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    has_prev = true;
    p += oplen;
    first += span;
  }
  if (span == 0 || p >= end) return -1;

  uint8_t op = uint8_t(s[p]);
  bool zero = is_zero(op), xzero = is_xzero(op);
  long runlen = zero ? zero_len(op) : xzero ? xzero_len(op, byte_at(s, p + 1)) : val_len(op);

  bool updated_in_place = false;
  if (!zero && !xzero) {
    if (val_value(op) >= count) return 0;  // case A: no change
    if (runlen == 1) {                     // case B
      s[p] = char(val_op(count, 1));
      updated_in_place = true;
    }
  }
  if (!updated_in_place && zero && runlen == 1) {  // case C
    s[p] = char(val_op(count, 1));
    updated_in_place = true;
  }
  if (!updated_in_place) {
    // Case D: split the opcode into up to three (worst: XZERO VAL XZERO, 5 bytes).
    uint8_t seq[5];
    uint8_t* n = seq;
    long last = first + span - 1;
    if (zero || xzero) {
      if (index != first) put_zeros(&n, int(index - first));
      *n++ = val_op(count, 1);
      if (index != last) put_zeros(&n, int(last - index));
    } else {
      int cur = val_value(op);
      if (index != first) *n++ = val_op(cur, int(index - first));
      *n++ = val_op(count, 1);
      if (index != last) *n++ = val_op(cur, int(last - index));
    }
    long seqlen = n - seq;
    long oldlen = xzero ? 2 : 1;
    long delta = seqlen - oldlen;
    if (delta > 0 && s.size() + size_t(delta) > sparse_max_bytes) return promote();
    s.replace(p, size_t(oldlen), reinterpret_cast<char*>(seq), size_t(seqlen));
    end = s.size();
  }

  // Step 4: merge adjacent VAL opcodes of the same value (up to 5 opcodes from prev).
  p = has_prev ? prev : kHeaderSize;
  int scan = 5;
  while (p < end && scan--) {
    uint8_t b = uint8_t(s[p]);
    if (is_xzero(b)) {
      p += 2;
      continue;
    }
    if (is_zero(b)) {
      p += 1;
      continue;
    }
    if (p + 1 < end && is_val(uint8_t(s[p + 1]))) {
      uint8_t b2 = uint8_t(s[p + 1]);
      if (val_value(b) == val_value(b2)) {
        int len = val_len(b) + val_len(b2);
        if (len <= kSparseValMaxLen) {
          s[p + 1] = char(val_op(val_value(b), len));
          s.erase(p, 1);
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidate_cache(hll);
  return 1;
}

int add(std::string* hll, std::string_view element, size_t sparse_max_bytes) {
  long index;
  int count = pattern_len(element, &index);
  return set_register(hll, index, uint8_t(count), sparse_max_bytes);
}

bool merge_into(RawRegisters* max, std::string_view hll) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize;
  size_t nbytes = hll.size() - kHeaderSize;
  if (encoding(hll) == kDense) {
    for (long i = 0; i < kRegisters; ++i) {
      uint8_t v = get_reg(p, nbytes, i);
      if (v > (*max)[size_t(i)]) (*max)[size_t(i)] = v;
    }
    return true;
  }
  long idx = 0;
  size_t i = 0;
  while (i < nbytes) {
    uint8_t b = p[i];
    if (is_zero(b)) {
      idx += zero_len(b);
      i += 1;
    } else if (is_xzero(b)) {
      idx += xzero_len(b, i + 1 < nbytes ? p[i + 1] : 0);
      i += 2;
    } else {
      int run = val_len(b), value = val_value(b);
      if (run + idx > kRegisters) break;
      while (run--) {
        if (value > (*max)[size_t(idx)]) (*max)[size_t(idx)] = uint8_t(value);
        idx++;
      }
      i += 1;
    }
  }
  return idx == kRegisters;
}

uint64_t count(std::string_view hll, bool* corrupt) {
  int histo[64] = {0};
  if (!histogram(hll, histo)) *corrupt = true;
  return estimate(histo);
}

uint64_t count_raw(const RawRegisters& regs) {
  int histo[256] = {0};
  for (uint8_t v : regs) histo[v]++;
  return estimate(histo);
}

bool cache_valid(std::string_view hll) { return (uint8_t(hll[15]) & 0x80) == 0; }

uint64_t cached(std::string_view hll) {
  uint64_t card = 0;
  for (int i = 7; i >= 0; --i) card = (card << 8) | uint8_t(hll[8 + size_t(i)]);
  return card;
}

void set_cache(std::string* hll, uint64_t card) {
  for (int i = 0; i < 8; ++i) (*hll)[8 + size_t(i)] = char((card >> (8 * i)) & 0xff);
}

void invalidate_cache(std::string* hll) { (*hll)[15] = char(uint8_t((*hll)[15]) | 0x80); }

uint8_t dense_register(std::string_view hll, long i) {
  return get_reg(reinterpret_cast<const uint8_t*>(hll.data()) + kHeaderSize,
                 hll.size() - kHeaderSize, i);
}

std::string decode_sparse(std::string_view hll) {
  std::string out;
  size_t i = kHeaderSize;
  char buf[32];
  while (i < hll.size()) {
    uint8_t b = uint8_t(hll[i]);
    if (is_zero(b)) {
      std::snprintf(buf, sizeof buf, "z:%d ", zero_len(b));
      i += 1;
    } else if (is_xzero(b)) {
      std::snprintf(buf, sizeof buf, "Z:%d ", xzero_len(b, byte_at(hll, i + 1)));
      i += 2;
    } else {
      std::snprintf(buf, sizeof buf, "v:%d,%d ", val_value(b), val_len(b));
      i += 1;
    }
    out += buf;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace stmkv::hll

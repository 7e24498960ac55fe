#include "persist/packs.h"

#include <cstring>

#include "protocol/number_format.h"

namespace stmkv::persist {

namespace {

void put_le(std::string* b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}
int64_t sign_extend(uint64_t v, int bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  if (bits < 64 && (v & m)) v |= ~((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>(v);
}

std::string ll_str(int64_t v) {
  char buf[protocol::kLongLongStrSize];
  size_t n = protocol::ll2string(buf, sizeof(buf), v);
  return std::string(buf, n);
}

}  // namespace

// --- listpack ---

ListpackBuilder::ListpackBuilder() { buf_.assign(6, '\0'); }

void ListpackBuilder::add_backlen(size_t l) {
  unsigned char b[5];
  int n;
  if (l <= 127) {
    b[0] = static_cast<unsigned char>(l);
    n = 1;
  } else if (l < 16383) {
    b[0] = static_cast<unsigned char>(l >> 7);
    b[1] = static_cast<unsigned char>((l & 127) | 128);
    n = 2;
  } else if (l < 2097151) {
    b[0] = static_cast<unsigned char>(l >> 14);
    b[1] = static_cast<unsigned char>(((l >> 7) & 127) | 128);
    b[2] = static_cast<unsigned char>((l & 127) | 128);
    n = 3;
  } else if (l < 268435455) {
    b[0] = static_cast<unsigned char>(l >> 21);
    b[1] = static_cast<unsigned char>(((l >> 14) & 127) | 128);
    b[2] = static_cast<unsigned char>(((l >> 7) & 127) | 128);
    b[3] = static_cast<unsigned char>((l & 127) | 128);
    n = 4;
  } else {
    b[0] = static_cast<unsigned char>(l >> 28);
    b[1] = static_cast<unsigned char>(((l >> 21) & 127) | 128);
    b[2] = static_cast<unsigned char>(((l >> 14) & 127) | 128);
    b[3] = static_cast<unsigned char>(((l >> 7) & 127) | 128);
    b[4] = static_cast<unsigned char>((l & 127) | 128);
    n = 5;
  }
  buf_.append(reinterpret_cast<char*>(b), n);
}

void ListpackBuilder::add_int(int64_t v) {
  size_t start = buf_.size();
  if (v >= 0 && v <= 127) {
    buf_.push_back(static_cast<char>(v));
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = v < 0 ? (uint64_t{1} << 13) + v : v;
    buf_.push_back(static_cast<char>((u >> 8) | 0xC0));
    buf_.push_back(static_cast<char>(u & 0xff));
  } else if (v >= -32768 && v <= 32767) {
    buf_.push_back(static_cast<char>(0xF1));
    put_le(&buf_, static_cast<uint64_t>(v), 2);
  } else if (v >= -8388608 && v <= 8388607) {
    buf_.push_back(static_cast<char>(0xF2));
    put_le(&buf_, static_cast<uint64_t>(v), 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    buf_.push_back(static_cast<char>(0xF3));
    put_le(&buf_, static_cast<uint64_t>(v), 4);
  } else {
    buf_.push_back(static_cast<char>(0xF4));
    put_le(&buf_, static_cast<uint64_t>(v), 8);
  }
  add_backlen(buf_.size() - start);
  ++count_;
}

void ListpackBuilder::add(std::string_view s) {
  long long v;
  if (s.size() <= 20 && protocol::string2ll(s, &v)) {
    add_int(v);
    return;
  }
  size_t start = buf_.size();
  size_t len = s.size();
  if (len < 64) {
    buf_.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    buf_.push_back(static_cast<char>(0xE0 | (len >> 8)));
    buf_.push_back(static_cast<char>(len & 0xff));
  } else {
    buf_.push_back(static_cast<char>(0xF0));
    put_le(&buf_, len, 4);
  }
  buf_.append(s);
  add_backlen(buf_.size() - start);
  ++count_;
}

std::string ListpackBuilder::finish() {
  buf_.push_back(static_cast<char>(0xFF));
  std::string out;
  out.swap(buf_);
  uint64_t total = out.size();
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((total >> (8 * i)) & 0xff);
  uint32_t c = count_ < 65535 ? count_ : 65535;
  out[4] = static_cast<char>(c & 0xff);
  out[5] = static_cast<char>(c >> 8);
  buf_.assign(6, '\0');
  count_ = 0;
  return out;
}

bool listpack_decode(std::string_view lp, std::vector<std::string>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(lp.data());
  size_t n = lp.size();
  if (n < 7 || get_le(p, 4) != n || p[n - 1] != 0xFF) return false;
  uint32_t declared = static_cast<uint32_t>(get_le(p + 4, 2));
  size_t pos = 6;
  uint32_t count = 0;
  while (pos < n - 1) {
    unsigned c = p[pos];
    size_t enc_len;  // encoding + data bytes
    if ((c & 0x80) == 0) {
      out->push_back(ll_str(c & 0x7f));
      enc_len = 1;
    } else if ((c & 0xC0) == 0x80) {
      size_t len = c & 0x3f;
      if (pos + 1 + len > n - 1) return false;
      out->emplace_back(lp.substr(pos + 1, len));
      enc_len = 1 + len;
    } else if ((c & 0xE0) == 0xC0) {
      if (pos + 2 > n - 1) return false;
      uint64_t u = ((c & 0x1f) << 8) | p[pos + 1];
      out->push_back(ll_str(sign_extend(u, 13)));
      enc_len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      if (pos + 2 > n - 1) return false;
      size_t len = ((c & 0x0f) << 8) | p[pos + 1];
      if (pos + 2 + len > n - 1) return false;
      out->emplace_back(lp.substr(pos + 2, len));
      enc_len = 2 + len;
    } else if (c == 0xF0) {
      if (pos + 5 > n - 1) return false;
      size_t len = get_le(p + pos + 1, 4);
      if (len > n || pos + 5 + len > n - 1) return false;
      out->emplace_back(lp.substr(pos + 5, len));
      enc_len = 5 + len;
    } else if (c >= 0xF1 && c <= 0xF4) {
      int bytes = c == 0xF1 ? 2 : c == 0xF2 ? 3 : c == 0xF3 ? 4 : 8;
      if (pos + 1 + bytes > n - 1) return false;
      out->push_back(ll_str(sign_extend(get_le(p + pos + 1, bytes), bytes * 8)));
      enc_len = 1 + bytes;
    } else {
      return false;
    }
    size_t back = enc_len <= 127        ? 1
                  : enc_len < 16383     ? 2
                  : enc_len < 2097151   ? 3
                  : enc_len < 268435455 ? 4
                                        : 5;
    pos += enc_len + back;
    if (pos > n - 1) return false;
    ++count;
  }
  return pos == n - 1 && (declared == 65535 || declared == count);
}

// --- ziplist ---

bool ziplist_decode(std::string_view zl, std::vector<std::string>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(zl.data());
  size_t n = zl.size();
  if (n < 11 || get_le(p, 4) != n || p[n - 1] != 0xFF) return false;
  size_t pos = 10;
  while (pos < n - 1) {
    // prevlen
    if (p[pos] < 254) {
      pos += 1;
    } else {
      pos += 5;
    }
    if (pos >= n - 1) return false;
    unsigned c = p[pos];
    switch (c >> 6) {
      case 0: {
        size_t len = c & 0x3f;
        if (pos + 1 + len > n - 1) return false;
        out->emplace_back(zl.substr(pos + 1, len));
        pos += 1 + len;
        continue;
      }
      case 1: {
        if (pos + 2 > n - 1) return false;
        size_t len = ((c & 0x3f) << 8) | p[pos + 1];
        if (pos + 2 + len > n - 1) return false;
        out->emplace_back(zl.substr(pos + 2, len));
        pos += 2 + len;
        continue;
      }
      case 2: {
        if (pos + 5 > n - 1) return false;
        size_t len = (size_t{p[pos + 1]} << 24) | (size_t{p[pos + 2]} << 16) |
                     (size_t{p[pos + 3]} << 8) | p[pos + 4];
        if (pos + 5 + len > n - 1) return false;
        out->emplace_back(zl.substr(pos + 5, len));
        pos += 5 + len;
        continue;
      }
      default: break;
    }
    int bytes;
    switch (c) {
      case 0xC0: bytes = 2; break;
      case 0xD0: bytes = 4; break;
      case 0xE0: bytes = 8; break;
      case 0xF0: bytes = 3; break;
      case 0xFE: bytes = 1; break;
      default:
        if (c >= 0xF1 && c <= 0xFD) {
          out->push_back(ll_str(static_cast<int64_t>(c & 0x0f) - 1));
          pos += 1;
          continue;
        }
        return false;
    }
    if (pos + 1 + bytes > n - 1) return false;
    out->push_back(ll_str(sign_extend(get_le(p + pos + 1, bytes), bytes * 8)));
    pos += 1 + bytes;
  }
  return pos == n - 1;
}

// --- zipmap ---

bool zipmap_decode(std::string_view zm, std::vector<std::string>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(zm.data());
  size_t n = zm.size();
  if (n < 2) return false;
  size_t pos = 1;  // zmlen
  auto read_len = [&](size_t* len) {
    if (pos >= n) return false;
    if (p[pos] < 254) {
      *len = p[pos++];
      return true;
    }
    if (p[pos] != 254 || pos + 5 > n) return false;
    *len = get_le(p + pos + 1, 4);
    pos += 5;
    return true;
  };
  while (pos < n && p[pos] != 0xFF) {
    size_t klen, vlen;
    if (!read_len(&klen) || pos + klen > n) return false;
    out->emplace_back(zm.substr(pos, klen));
    pos += klen;
    if (!read_len(&vlen) || pos >= n) return false;
    size_t free = p[pos++];
    if (pos + vlen + free > n) return false;
    out->emplace_back(zm.substr(pos, vlen));
    pos += vlen + free;
  }
  return pos == n - 1;
}

// --- intset ---

std::string intset_encode(const std::vector<int64_t>& sorted) {
  int width = 2;
  for (int64_t v : sorted) {
    if (v < INT32_MIN || v > INT32_MAX) {
      width = 8;
      break;
    }
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  std::string out;
  out.reserve(8 + sorted.size() * width);
  put_le(&out, width, 4);
  put_le(&out, sorted.size(), 4);
  for (int64_t v : sorted) put_le(&out, static_cast<uint64_t>(v), width);
  return out;
}

bool intset_decode(std::string_view is, std::vector<int64_t>* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(is.data());
  if (is.size() < 8) return false;
  uint32_t width = static_cast<uint32_t>(get_le(p, 4));
  uint32_t count = static_cast<uint32_t>(get_le(p + 4, 4));
  if ((width != 2 && width != 4 && width != 8) || is.size() != 8 + size_t{count} * width) {
    return false;
  }
  for (uint32_t i = 0; i < count; ++i) {
    int64_t v = sign_extend(get_le(p + 8 + size_t{i} * width, width), width * 8);
    if (!out->empty() && i > 0 && v <= out->back()) return false;
    out->push_back(v);
  }
  return true;
}

}  // namespace stmkv::persist

#include "scripting/function_dump.h"

#include <cstring>

namespace stmkv::scripting {

namespace {

constexpr unsigned char kOpcodeFunction = 246;   // RDB_OPCODE_FUNCTION (7.0 release candidates)
constexpr unsigned char kOpcodeFunction2 = 245;  // RDB_OPCODE_FUNCTION2
constexpr uint16_t kRdbVersion = 10;
constexpr char kBadPayload[] = "ERR DUMP payload version or checksum are wrong";

struct Crc64Table {
  uint64_t t[256];
  Crc64Table() {
    constexpr uint64_t kPoly = 0x95ac9329ac4bc9b5ull;  // 0xad93d23594c935a9, reflected
    for (int i = 0; i < 256; ++i) {
      uint64_t c = uint64_t(i);
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
      t[i] = c;
    }
  }
};

void put_length(std::string& out, uint64_t len) {
  if (len < (1u << 6)) {
    out.push_back(char(len));
  } else if (len < (1u << 14)) {
    out.push_back(char(((len >> 8) & 0xFF) | 0x40));
    out.push_back(char(len & 0xFF));
  } else if (len <= 0xFFFFFFFFull) {
    out.push_back(char(0x80));
    for (int s = 24; s >= 0; s -= 8) out.push_back(char((len >> s) & 0xFF));
  } else {
    out.push_back(char(0x81));
    for (int s = 56; s >= 0; s -= 8) out.push_back(char((len >> s) & 0xFF));
  }
}

struct Reader {
  std::string_view s;
  size_t pos = 0;
  bool ok = true;

  int byte() {
    if (pos >= s.size()) {
      ok = false;
      return 0;
    }
    return static_cast<unsigned char>(s[pos++]);
  }
  // An RDB length; *encoded is set for the special string encodings (value = the encoding).
  uint64_t length(bool* encoded) {
    *encoded = false;
    int b = byte();
    int type = (b & 0xC0) >> 6;
    if (type == 0) return uint64_t(b & 0x3F);
    if (type == 1) return (uint64_t(b & 0x3F) << 8) | uint64_t(byte());
    if (type == 3) {
      *encoded = true;
      return uint64_t(b & 0x3F);
    }
    int n = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
    if (n == 0) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | uint64_t(byte());
    return v;
  }
  std::string_view bytes(uint64_t n) {
    if (n > s.size() - pos) {
      ok = false;
      return {};
    }
    std::string_view v = s.substr(pos, size_t(n));
    pos += size_t(n);
    return v;
  }
};

// LZF decompression (liblzf's format, as Redis writes compressed RDB strings).
bool lzf_decompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  out->reserve(out_len);
  size_t ip = 0;
  while (ip < in.size()) {
    unsigned ctrl = static_cast<unsigned char>(in[ip++]);
    if (ctrl < 32) {  // a literal run of ctrl + 1 bytes
      size_t n = ctrl + 1;
      if (ip + n > in.size() || out->size() + n > out_len) return false;
      out->append(in.substr(ip, n));
      ip += n;
    } else {  // a back reference
      size_t len = ctrl >> 5;
      if (len == 7) {
        if (ip >= in.size()) return false;
        len += static_cast<unsigned char>(in[ip++]);
      }
      len += 2;
      if (ip >= in.size()) return false;
      size_t back = ((ctrl & 0x1F) << 8) + static_cast<unsigned char>(in[ip++]) + 1;
      if (back > out->size() || out->size() + len > out_len) return false;
      size_t from = out->size() - back;
      for (size_t i = 0; i < len; ++i) out->push_back((*out)[from + i]);
    }
  }
  return out->size() == out_len;
}

bool read_string(Reader& r, std::string* out) {
  bool encoded;
  uint64_t len = r.length(&encoded);
  if (!r.ok) return false;
  if (!encoded) {
    std::string_view b = r.bytes(len);
    out->assign(b);
    return r.ok;
  }
  switch (len) {
    case 0:  // int8
      *out = std::to_string(int8_t(r.byte()));
      return r.ok;
    case 1: {  // int16, little-endian
      int v = r.byte();
      v |= r.byte() << 8;
      *out = std::to_string(int16_t(v));
      return r.ok;
    }
    case 2: {  // int32, little-endian
      uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= uint32_t(r.byte()) << (8 * i);
      *out = std::to_string(int32_t(v));
      return r.ok;
    }
    case 3: {  // LZF
      bool e1, e2;
      uint64_t clen = r.length(&e1);
      uint64_t ulen = r.length(&e2);
      if (!r.ok || e1 || e2) return false;
      std::string_view c = r.bytes(clen);
      return r.ok && lzf_decompress(c, size_t(ulen), out);
    }
    default: return false;
  }
}

}  // namespace

uint64_t crc64_jones(uint64_t crc, std::string_view data) {
  static const Crc64Table table;
  for (unsigned char c : data) crc = table.t[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return crc;
}

std::string dump_libraries(const std::vector<std::shared_ptr<const Library>>& libs) {
  std::string out;
  for (const auto& lib : libs) {
    out.push_back(char(kOpcodeFunction2));
    put_length(out, lib->code.size());
    out.append(lib->code);
  }
  out.push_back(char(kRdbVersion & 0xFF));
  out.push_back(char((kRdbVersion >> 8) & 0xFF));
  uint64_t crc = crc64_jones(0, out);
  for (int i = 0; i < 8; ++i) out.push_back(char((crc >> (8 * i)) & 0xFF));
  return out;
}

std::string parse_dump(std::string_view payload, std::vector<std::string>* codes) {
  if (payload.size() < 10) return kBadPayload;
  const auto* footer = reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - 10);
  uint16_t version = uint16_t(footer[0] | (footer[1] << 8));
  if (version > kRdbVersion) return kBadPayload;
  uint64_t crc = 0;
  for (int i = 0; i < 8; ++i) crc |= uint64_t(footer[2 + i]) << (8 * i);
  if (crc64_jones(0, payload.substr(0, payload.size() - 8)) != crc) return kBadPayload;
  Reader r{payload.substr(0, payload.size() - 10)};
  while (r.pos < r.s.size()) {
    int type = r.byte();
    if (type == kOpcodeFunction) return "ERR Pre-GA function format not supported";
    if (type != kOpcodeFunction2) return "ERR given type is not a function";
    std::string code;
    if (!read_string(r, &code)) return "ERR Failed loading library payload";
    codes->push_back(std::move(code));
  }
  return "";
}

}  // namespace stmkv::scripting

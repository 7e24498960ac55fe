// persist/packs.h — Redis's compact binary encodings as they appear in RDB files: listpack
// (written and read), intset (written and read), and the older ziplist and zipmap (read only).
//
// Decoders never trust their input: they check every length against the blob and return false
// on anything malformed. Integer elements are returned in decimal, as Redis's commands see them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stmkv::persist {

// Builds a listpack: elements that are canonical integers (Redis's string2ll) are stored as
// integers, the rest as strings, exactly as Redis's lpAppend encodes them.
class ListpackBuilder {
 public:
  ListpackBuilder();
  void add(std::string_view element);
  void add_int(int64_t v);
  uint32_t count() const { return count_; }
  // Bytes so far including the header and the end byte that finish() adds.
  size_t bytes() const { return buf_.size() + 1; }
  // The listpack (header filled in). The builder is empty afterwards.
  std::string finish();

 private:
  void add_backlen(size_t len);
  std::string buf_;
  uint32_t count_ = 0;
};

// The elements of a listpack (appended to *out). False when the blob is malformed.
bool listpack_decode(std::string_view lp, std::vector<std::string>* out);
// The elements of a ziplist (appended to *out). False when malformed.
bool ziplist_decode(std::string_view zl, std::vector<std::string>* out);
// The field, value, field, value... of a zipmap (appended to *out). False when malformed.
bool zipmap_decode(std::string_view zm, std::vector<std::string>* out);

// An intset of sorted unique values, in the narrowest encoding (2, 4 or 8 bytes) that holds them.
std::string intset_encode(const std::vector<int64_t>& sorted);
// The values of an intset (appended to *out). False when malformed or not strictly sorted.
bool intset_decode(std::string_view is, std::vector<int64_t>* out);

}  // namespace stmkv::persist

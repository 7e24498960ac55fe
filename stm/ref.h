// stm/ref.h — references to objects on the transactional heap.
#pragma once

#include <cstdint>
#include <functional>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN

// A segment-relative offset of an object on the heap. The same Ref names the same object in
// every segment (each segment may hold its own version of it). Trivially copyable: store Refs
// inside heap objects, never raw pointers. Offset 0 is the null Ref. Refs must not be kept
// outside the heap across transactions (the object may be freed and its memory reused).
class RawRef {
 public:
  constexpr RawRef() = default;
  constexpr explicit RawRef(uint64_t offset) : off_(offset) {}
  constexpr uint64_t offset() const { return off_; }
  constexpr bool is_null() const { return off_ == 0; }
  constexpr explicit operator bool() const { return off_ != 0; }
  friend constexpr bool operator==(RawRef a, RawRef b) { return a.off_ == b.off_; }

 private:
  uint64_t off_ = 0;
};

// A RawRef that remembers the type of the object it names.
template <class T>
class Ref : public RawRef {
 public:
  using Type = T;
  constexpr Ref() = default;
  constexpr explicit Ref(RawRef r) : RawRef(r) {}
  constexpr explicit Ref(uint64_t offset) : RawRef(offset) {}
  // The i-th element of an array of T starting at this Ref.
  constexpr Ref<T> at(uint64_t i) const { return Ref<T>(offset() + i * sizeof(T)); }
  template <class U>
  constexpr Ref<U> cast() const {
    return Ref<U>(offset());
  }
};

STM_ABI_END
}  // namespace stm

template <>
struct std::hash<stm::RawRef> {
  size_t operator()(stm::RawRef r) const noexcept { return std::hash<uint64_t>()(r.offset()); }
};

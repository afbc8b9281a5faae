#include "bgp/rib/table_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

namespace halink::bgp {
namespace {
constexpr size_t huge_page = size_t{2} << 20;
constexpr size_t huge_threshold = size_t{4} << 20;  // below: the rounding would waste too much
// Address space reserved for a large array: room to grow 64× in place
// (about ten 1.5× steps), at least 1 GiB. Costs no memory, only addresses.
constexpr size_t reserve_factor = 64;
constexpr size_t min_reservation = size_t{1} << 30;

size_t rounded(size_t bytes) { return (bytes + huge_page - 1) / huge_page * huge_page; }

struct Reservation {
  uintptr_t base = 0;
  size_t reserved = 0;   // bytes of address space
  size_t committed = 0;  // bytes usable from base
};

// Large arrays are few (one per big table) and change only when a table
// grows, so a locked list is enough. Tables are used by one thread, but the
// list is process-wide.
std::mutex reservations_mutex;
std::vector<Reservation>& reservations() {
  static std::vector<Reservation> list;
  return list;
}
std::atomic<size_t> mapped_bytes{0};

Reservation* find(uintptr_t base) {
  for (Reservation& r : reservations())
    if (r.base == base) return &r;
  return nullptr;
}

bool commit(uintptr_t from, size_t bytes) {
  void* at = reinterpret_cast<void*>(from);
  if (mprotect(at, bytes, PROT_READ | PROT_WRITE) != 0) return false;
  (void)madvise(at, bytes, MADV_HUGEPAGE);  // a hint; failure only costs speed
  return true;
}

// A 2 MiB-aligned range of `reserved` bytes of inaccessible address space
// with its first `bytes` usable, or 0.
uintptr_t reserve(size_t reserved, size_t bytes) {
  void* raw = mmap(nullptr, reserved + huge_page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return 0;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t base = (start + huge_page - 1) / huge_page * huge_page;
  if (base > start) munmap(raw, base - start);
  const uintptr_t end = start + reserved + huge_page;
  if (end > base + reserved) munmap(reinterpret_cast<void*>(base + reserved), end - (base + reserved));
  if (!commit(base, bytes)) {
    munmap(reinterpret_cast<void*>(base), reserved);
    return 0;
  }
  return base;
}
}  // namespace

void* allocate_table_memory(size_t bytes) {
  if (bytes < huge_threshold) return ::operator new(bytes);
  const size_t usable = rounded(bytes);
  const size_t reserved = std::max(min_reservation, rounded(usable * reserve_factor));
  if (const uintptr_t base = reserve(reserved, usable)) {
    std::lock_guard lock(reservations_mutex);
    reservations().push_back(Reservation{base, reserved, usable});
    mapped_bytes += usable;
    return reinterpret_cast<void*>(base);
  }
  void* memory = ::operator new(usable, std::align_val_t{huge_page});
  (void)madvise(memory, usable, MADV_HUGEPAGE);  // a hint; failure only costs speed
  return memory;
}

bool extend_table_memory(void* memory, size_t bytes, size_t new_bytes) {
  if (bytes < huge_threshold) return false;
  std::lock_guard lock(reservations_mutex);
  Reservation* r = find(reinterpret_cast<uintptr_t>(memory));
  if (!r) return false;
  const size_t usable = rounded(new_bytes);
  if (usable > r->reserved) return false;
  if (usable > r->committed) {
    if (!commit(r->base + r->committed, usable - r->committed)) return false;
    mapped_bytes += usable - r->committed;
    r->committed = usable;
  }
  return true;
}

void free_table_memory(void* memory, size_t bytes) {
  if (bytes < huge_threshold) {
    ::operator delete(memory);
    return;
  }
  {
    std::lock_guard lock(reservations_mutex);
    std::vector<Reservation>& list = reservations();
    const auto it = std::find_if(list.begin(), list.end(),
                                 [&](const Reservation& r) { return r.base == reinterpret_cast<uintptr_t>(memory); });
    if (it != list.end()) {
      munmap(memory, it->reserved);
      mapped_bytes -= it->committed;
      *it = list.back();
      list.pop_back();
      return;
    }
  }
  ::operator delete(memory, std::align_val_t{huge_page});
}

size_t table_memory_mapped_bytes() { return mapped_bytes.load(std::memory_order_relaxed); }

}  // namespace halink::bgp

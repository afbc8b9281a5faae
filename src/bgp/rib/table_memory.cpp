#include "bgp/rib/table_memory.h"

#include <sys/mman.h>

#include <new>

namespace halink::bgp {
namespace {
constexpr size_t huge_page = size_t{2} << 20;
constexpr size_t huge_threshold = size_t{4} << 20;  // below: the rounding would waste too much
size_t rounded(size_t bytes) { return (bytes + huge_page - 1) / huge_page * huge_page; }
}  // namespace

void* allocate_table_memory(size_t bytes) {
  if (bytes < huge_threshold) return ::operator new(bytes);
  void* memory = ::operator new(rounded(bytes), std::align_val_t{huge_page});
  (void)madvise(memory, rounded(bytes), MADV_HUGEPAGE);  // a hint; failure only costs speed
  return memory;
}

void free_table_memory(void* memory, size_t bytes) {
  if (bytes < huge_threshold)
    ::operator delete(memory);
  else
    ::operator delete(memory, std::align_val_t{huge_page});
}

}  // namespace halink::bgp

#include "bgp/rib/slab.h"

#include <sys/mman.h>

#include <atomic>
#include <cstdint>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define HALINK_SLAB_POISONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HALINK_SLAB_POISONS 1
#endif
#endif
#ifdef HALINK_SLAB_POISONS
#include <sanitizer/asan_interface.h>
#define SLAB_POISON(at, bytes) ASAN_POISON_MEMORY_REGION(at, bytes)
#define SLAB_UNPOISON(at, bytes) ASAN_UNPOISON_MEMORY_REGION(at, bytes)
#else
#define SLAB_POISON(at, bytes) ((void)(at), (void)(bytes))
#define SLAB_UNPOISON(at, bytes) ((void)(at), (void)(bytes))
#endif

namespace halink::bgp {
namespace {

constexpr size_t chunk_bytes = size_t{2} << 20;  // one transparent huge page
constexpr size_t granule = 8;  // the objects are 8-byte aligned; finer classes waste less
constexpr size_t class_count = max_slab_block / granule;

std::atomic<size_t> mapped_bytes{0};

size_t class_of(size_t bytes) { return bytes == 0 ? 0 : (bytes - 1) / granule; }

// A 2 MiB-aligned chunk of 2 MiB, or nullptr. Aligned so the kernel can
// back it with one huge page.
char* map_chunk() {
  void* raw = mmap(nullptr, 2 * chunk_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t base = (start + chunk_bytes - 1) / chunk_bytes * chunk_bytes;
  if (base > start) munmap(raw, base - start);
  const uintptr_t end = start + 2 * chunk_bytes;
  if (end > base + chunk_bytes) munmap(reinterpret_cast<void*>(base + chunk_bytes), end - (base + chunk_bytes));
  (void)madvise(reinterpret_cast<void*>(base), chunk_bytes, MADV_HUGEPAGE);  // a hint; failure only costs speed
  SLAB_POISON(reinterpret_cast<void*>(base), chunk_bytes);
  mapped_bytes += chunk_bytes;
  return reinterpret_cast<char*>(base);
}

struct FreeBlock {
  FreeBlock* next;
};

// One thread's slab. Trivially constructible, so a thread_local of it needs
// no initialisation guard on each access.
struct ThreadSlab {
  FreeBlock* free[class_count];
  char* next;  // unused part of the current chunk
  char* end;
  size_t live_bytes;  // bytes of blocks handed out by this thread and not freed on it

  void* allocate(size_t size_class) {
    live_bytes += (size_class + 1) * granule;
    if (FreeBlock* block = free[size_class]) {
      SLAB_UNPOISON(block, (size_class + 1) * granule);
      free[size_class] = block->next;
      // Freed blocks lie scattered, so reading the next one's link is a
      // cache miss of its own (the profile of a reload showed it as the
      // whole cost of this function): start it now, not at the next call.
      __builtin_prefetch(block->next);
      return block;
    }
    const size_t bytes = (size_class + 1) * granule;
    if (size_t(end - next) < bytes) {
      // The rest of the old chunk (less than one block) is left unused.
      char* chunk = map_chunk();
      if (!chunk) throw std::bad_alloc();
      next = chunk;
      end = chunk + chunk_bytes;
    }
    void* block = next;
    next += bytes;
    SLAB_UNPOISON(block, bytes);
    return block;
  }
  // Under AddressSanitizer a free block stays poisoned (a use after free is
  // reported) except while its list link is written or read.
  void release(void* block, size_t size_class) {
    live_bytes -= (size_class + 1) * granule;
    auto* freed = static_cast<FreeBlock*>(block);
    freed->next = free[size_class];
    free[size_class] = freed;
    SLAB_POISON(block, (size_class + 1) * granule);
  }
};

constinit thread_local ThreadSlab slab{};

}  // namespace

void* allocate_slab_block(size_t bytes) {
  if (bytes > max_slab_block) return ::operator new(bytes);
  return slab.allocate(class_of(bytes));
}

void free_slab_block(void* block, size_t bytes) noexcept {
  if (!block) return;
  if (bytes > max_slab_block) {
    ::operator delete(block);
    return;
  }
  slab.release(block, class_of(bytes));
}

ptrdiff_t slab_live_bytes_of_this_thread() { return static_cast<ptrdiff_t>(slab.live_bytes); }

size_t slab_mapped_bytes() { return mapped_bytes.load(std::memory_order_relaxed); }

}  // namespace halink::bgp

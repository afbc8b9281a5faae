// Fixed-size blocks for the RIB's many small objects (attribute sets and
// their interned pieces).
//
// Loading a full table creates ~300,000 attribute sets per upstream, each
// with one to three small objects (the set, its AS path, its community
// lists). From malloc that was one call and one 8-byte header per object,
// and the first touch of every 4 KiB page the objects land on was a page
// fault: the profile of a load showed malloc at ~10 % and those faults at
// ~9 % (docs/PERFORMANCE.md, RIB third pass). A slab hands out blocks in
// classes of 8-byte steps from 2 MiB chunks marked for transparent huge
// pages (madvise(MADV_HUGEPAGE), honoured in the kernel's default "madvise"
// THP mode): no header, a free list per class, one fault per 2 MiB chunk.
//
// Freed blocks go back to their class's free list, never to the system
// (as with malloc's bins): a table that shrinks keeps its high-water mark
// of blocks for the next load.
//
// Threads. The RIB is used by one thread (the BGP loop), but tests and
// tools run several daemons, each on its own thread: every thread has its
// own free lists and chunk, so no locking. A block freed on another thread
// than it came from joins that thread's list, which is safe because chunks
// are never unmapped; free blocks on the list of a thread that ends are
// not reused.
//
// Under AddressSanitizer free blocks are poisoned, so a use after free is
// still reported; leaks are not (the chunks are not heap blocks), hence
// slab_live_bytes_of_this_thread() for tests.
#pragma once

#include <cstddef>

namespace halink::bgp {

// The largest block the slab serves; larger requests go to the heap.
inline constexpr size_t max_slab_block = 256;

// A block of `bytes` (at least 1; 8-byte aligned: for objects of alignment 8 or less).
void* allocate_slab_block(size_t bytes);
// Returns a block from allocate_slab_block(bytes) with the same `bytes`.
void free_slab_block(void* block, size_t bytes) noexcept;
// Bytes of the chunks the slab obtained from the system, process-wide (for
// memory accounting: counting operator new alone would miss them).
size_t slab_mapped_bytes();
// Bytes of the blocks (rounded up to their class) allocated minus freed on
// the calling thread, those larger than max_slab_block excepted: what a
// thread's objects hold in the slab, for accounting (freed blocks are
// reused, so chunks mapped earlier say nothing about a later load) and for
// tests looking for leaked sets. Negative when the thread freed more blocks
// from other threads than it allocated.
ptrdiff_t slab_live_bytes_of_this_thread();

// Class-specific operator new/delete for a type whose objects should come
// from the slab: `struct X : SlabAllocated { ... };`.
struct SlabAllocated {
  static void* operator new(size_t bytes) { return allocate_slab_block(bytes); }
  static void operator delete(void* block, size_t bytes) noexcept { free_slab_block(block, bytes); }
};

}  // namespace halink::bgp

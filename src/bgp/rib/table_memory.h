// Memory for the RIB's large hash-table slot arrays.
//
// A full table's Loc-RIB index is tens of megabytes probed at random: with
// 4 KiB pages nearly every probe also misses the TLB, and the profile of a
// table load showed the page walks (the loads right after each prefetch)
// as the largest single cost. Arrays of several megabytes are therefore
// placed on 2 MiB-aligned memory marked for transparent huge pages
// (madvise(MADV_HUGEPAGE), which the kernel's default "madvise" THP mode
// honours); smaller ones come from the ordinary heap. Only a hint: if the
// kernel gives no huge pages, nothing but speed changes.
#pragma once

#include <cstddef>

namespace halink::bgp {

void* allocate_table_memory(size_t bytes);
void free_table_memory(void* memory, size_t bytes);

}  // namespace halink::bgp

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
//
// Growing in place. A table filled to a million entries grows ~30 times by
// 1.5×; with a fresh array each time the process touches about three times
// the final array's bytes for the first time, and first touches are what a
// load paid most for after the probes (the kernel zeroes each new page;
// under a hypervisor a new page also costs the host a fault: the profile
// showed clear_page as 10–14 % of a full-table load, all of it in the
// Loc-RIB's growth). So a large array sits at the start of a reserved,
// inaccessible address range and extend_table_memory() makes more of that
// range usable where it is: the pages already touched stay, only the new
// part is fresh, and FlatTable rehashes in place. Reserving address space
// costs no memory; if the reservation fails (an address-space limit), the
// array comes from the heap and grows by moving as before.
#pragma once

#include <cstddef>

namespace halink::bgp {

void* allocate_table_memory(size_t bytes);
void free_table_memory(void* memory, size_t bytes);
// Makes a block from allocate_table_memory() of `bytes` usable up to
// `new_bytes` without moving it; false when it cannot (the caller then
// allocates a new block). The added bytes' contents are unspecified.
bool extend_table_memory(void* memory, size_t bytes, size_t new_bytes);
// Bytes of table memory usable right now in blocks that do not come from
// the heap (reserved ranges), process-wide: for memory accounting, which
// counting operator new alone would miss.
size_t table_memory_mapped_bytes();

}  // namespace halink::bgp

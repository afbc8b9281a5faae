#include "bgp/rib/slab.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "bgp/rib/attribute_store.h"

namespace halink::bgp {
namespace {

TEST(Slab, BlocksAreDistinctAlignedAndWritable) {
  std::vector<void*> blocks;
  for (size_t i = 0; i < 3000; ++i) {
    const size_t bytes = 1 + i % max_slab_block;
    void* block = allocate_slab_block(bytes);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(block) % 8, 0u);
    std::memset(block, int(i), bytes);
    blocks.push_back(block);
  }
  EXPECT_EQ(std::set<void*>(blocks.begin(), blocks.end()).size(), blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) {
    const size_t bytes = 1 + i % max_slab_block;
    const auto* at = static_cast<const unsigned char*>(blocks[i]);
    EXPECT_EQ(at[0], static_cast<unsigned char>(i));
    EXPECT_EQ(at[bytes - 1], static_cast<unsigned char>(i));
    free_slab_block(blocks[i], bytes);
  }
}

TEST(Slab, FreedBlockIsReusedForItsClass) {
  void* first = allocate_slab_block(96);
  free_slab_block(first, 96);
  void* second = allocate_slab_block(93);  // the same 8-byte class
  EXPECT_EQ(second, first);
  free_slab_block(second, 93);
}

TEST(Slab, CountsLiveBytesPerClassAndMappedChunks) {
  const ptrdiff_t before = slab_live_bytes_of_this_thread();
  void* a = allocate_slab_block(90);  // class of 96 bytes
  void* b = allocate_slab_block(72);
  EXPECT_EQ(slab_live_bytes_of_this_thread() - before, 96 + 72);
  EXPECT_GE(slab_mapped_bytes(), size_t{2} << 20);
  free_slab_block(a, 90);
  free_slab_block(b, 72);
  EXPECT_EQ(slab_live_bytes_of_this_thread(), before);
}

TEST(Slab, LargeBlocksComeFromTheHeap) {
  const ptrdiff_t before = slab_live_bytes_of_this_thread();
  void* large = allocate_slab_block(max_slab_block + 1);
  std::memset(large, 1, max_slab_block + 1);
  EXPECT_EQ(slab_live_bytes_of_this_thread(), before);
  free_slab_block(large, max_slab_block + 1);
}

TEST(Slab, ManyChunks) {
  // More than one 2 MiB chunk of one class, all usable at once.
  std::vector<void*> blocks(70'000);
  for (void*& block : blocks) {
    block = allocate_slab_block(64);
    std::memset(block, 0xab, 64);
  }
  for (void* block : blocks) free_slab_block(block, 64);
}

TEST(Slab, ThreadsHaveTheirOwnListsAndMayFreeEachOthersBlocks) {
  void* from_other = nullptr;
  std::thread([&] { from_other = allocate_slab_block(48); }).join();
  ASSERT_NE(from_other, nullptr);
  std::memset(from_other, 7, 48);  // still mapped after its thread ended
  free_slab_block(from_other, 48);
  EXPECT_EQ(allocate_slab_block(48), from_other);  // now on this thread's list
  free_slab_block(from_other, 48);
}

TEST(Slab, AttributeSetsAndPiecesAreAllReturned) {
  // The slab is not a heap LeakSanitizer sees: leaked sets show here.
  const ptrdiff_t before = slab_live_bytes_of_this_thread();
  {
    AttributeStore store;
    std::vector<AttrSetRef> refs;
    for (uint32_t i = 0; i < 1000; ++i) {
      PathAttributes a;
      a.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, {65000, i}}}};
      if (i % 2) a.communities = {i};
      a.next_hop = IpAddress::v4(192, 0, 2, 1);
      refs.push_back(store.intern(a));
    }
    EXPECT_GT(slab_live_bytes_of_this_thread() - before, 1000 * ptrdiff_t(sizeof(AttrSet)));
  }
  EXPECT_EQ(slab_live_bytes_of_this_thread(), before);
}

}  // namespace
}  // namespace halink::bgp

#include "bgp/rib/attribute_store.h"

#include <gtest/gtest.h>

namespace halink::bgp {
namespace {

PathAttributes attrs_with_path(std::vector<uint32_t> asns, uint32_t next_hop_last_octet = 1) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, std::move(asns)}}};
  a.next_hop = IpAddress::v4(192, 0, 2, static_cast<uint8_t>(next_hop_last_octet));
  return a;
}

TEST(AttributeStore, EqualAttributesShareOneSet) {
  AttributeStore store;
  AttrSetRef a = store.intern(attrs_with_path({65001, 65002}));
  AttrSetRef b = store.intern(attrs_with_path({65001, 65002}));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(a.use_count(), 2u);
}

TEST(AttributeStore, DifferentAttributesGetDifferentSets) {
  AttributeStore store;
  AttrSetRef a = store.intern(attrs_with_path({65001}, 1));
  AttrSetRef b = store.intern(attrs_with_path({65001}, 2));
  EXPECT_NE(a, b);
  EXPECT_EQ(store.size(), 2u);
}

TEST(AttributeStore, LastReferenceFreesTheSet) {
  AttributeStore store;
  AttrSetRef a = store.intern(attrs_with_path({65001}));
  {
    AttrSetRef copy = a;
    EXPECT_EQ(a.use_count(), 2u);
  }
  EXPECT_EQ(a.use_count(), 1u);
  EXPECT_EQ(store.size(), 1u);
  a.reset();
  EXPECT_EQ(store.size(), 0u);
  // Interning again creates a fresh set.
  AttrSetRef again = store.intern(attrs_with_path({65001}));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(again.use_count(), 1u);
}

TEST(AttributeStore, ManySetsSurviveGrowthAndErase) {
  AttributeStore store;
  std::vector<AttrSetRef> refs;
  for (uint32_t i = 0; i < 5000; ++i) refs.push_back(store.intern(attrs_with_path({65000 + i})));
  EXPECT_EQ(store.size(), 5000u);
  for (size_t i = 0; i < refs.size(); i += 2) refs[i].reset();
  EXPECT_EQ(store.size(), 2500u);
  for (uint32_t i = 1; i < 5000; i += 2)
    EXPECT_EQ(store.intern(attrs_with_path({65000 + i})), refs[i]) << i;
  EXPECT_EQ(store.size(), 2500u);
}

TEST(AttributeStore, DecisionKeyIsDerivedOnce) {
  AttributeStore store;
  PathAttributes a = attrs_with_path({65001, 65002, 65003});
  a.as_path->segments.push_back(AsPathSegment{AsPathSegmentType::as_set, {1, 2, 3}});
  a.med = 50;
  a.local_pref = 200;
  a.cluster_list = {1, 2};
  a.originator_id = 7;
  AttrSetRef ref = store.intern(a);
  const DecisionKey& key = ref.decision();
  EXPECT_EQ(key.as_path_length, 4u);  // AS_SET counts one (RFC 4271 §9.1.2.2 a)
  EXPECT_EQ(key.neighbor_as, 65001u);
  EXPECT_TRUE(key.has_med);
  EXPECT_EQ(key.med, 50u);
  EXPECT_EQ(key.local_pref, 200u);
  EXPECT_EQ(key.cluster_list_length, 2u);
  EXPECT_EQ(key.originator_id, 7u);
  EXPECT_EQ(key.origin, Origin::igp);
}

TEST(AttributeStore, ReferenceMayOutliveStore) {
  AttrSetRef survivor;
  {
    AttributeStore store;
    survivor = store.intern(attrs_with_path({65001}));
  }
  EXPECT_EQ(survivor->as_path->neighbor_as(), 65001u);
  survivor.reset();  // frees without touching the destroyed store (ASan checks)
}

}  // namespace
}  // namespace halink::bgp

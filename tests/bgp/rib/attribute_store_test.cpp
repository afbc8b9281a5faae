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


TEST(AttributeStore, SetsOfDifferentNextHopsShareTheirPieces) {
  AttributeStore store;
  PathAttributes a = attrs_with_path({65001, 65002}, 1);
  a.communities = {0xFDE80001, 0xFDE80002};
  a.aggregator = Aggregator{65002, IpAddress::v4(192, 0, 2, 99)};
  PathAttributes b = a;
  b.next_hop = IpAddress::v4(192, 0, 2, 2);
  AttrSetRef ra = store.intern(a), rb = store.intern(b);
  EXPECT_NE(ra, rb);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(ra.get()->as_path, rb.get()->as_path);
  EXPECT_EQ(ra.get()->communities, rb.get()->communities);
  EXPECT_EQ(ra.get()->rare, rb.get()->rare);
  EXPECT_EQ(store.as_path_count(), 1u);
  EXPECT_EQ(store.community_list_count(), 1u);
  ra.reset();
  EXPECT_EQ(rb.get()->as_path.use_count(), 1u);
  rb.reset();
  EXPECT_EQ(store.as_path_count(), 0u);
  EXPECT_EQ(store.community_list_count(), 0u);
}

TEST(AttributeStore, CompactSetDecodesToWhatWasInterned) {
  AttributeStore store;
  PathAttributes full = attrs_with_path({65001, 65002});
  full.as_path->segments.push_back(AsPathSegment{AsPathSegmentType::as_set, {7, 8}});
  full.med = 0;  // present and zero differs from absent
  full.local_pref = 150;
  full.atomic_aggregate = true;
  full.aggregator = Aggregator{65002, IpAddress::v4(192, 0, 2, 99)};
  full.communities = {community::no_export};
  full.extended_communities = {0x0002FDE800000064ULL};
  full.large_communities = {LargeCommunity{65000, 1, 2}};
  full.originator_id = 0x0A000001;
  full.cluster_list = {1, 2, 3};
  full.unknown = {UnknownAttribute{0xC0, 99, {1, 2, 3}}};
  PathAttributes v6;
  v6.origin = Origin::egp;
  v6.next_hop = IpAddress::parse("2001:db8::1").value();
  v6.link_local_next_hop = IpAddress::parse("fe80::1").value();
  PathAttributes bare;  // no attribute at all
  for (const PathAttributes& attrs : {full, v6, bare}) {
    AttrSetRef ref = store.intern(attrs);
    EXPECT_EQ(ref.attributes().get(), attrs);
    EXPECT_TRUE(ref.get()->equals(attrs));
  }
  // Each field tells sets apart.
  PathAttributes no_med = full;
  no_med.med.reset();
  EXPECT_NE(store.intern(no_med), store.intern(full));
  PathAttributes other_unknown = full;
  other_unknown.unknown[0].value = {1, 2, 4};
  EXPECT_NE(store.intern(other_unknown), store.intern(full));
  // Link-local only: forwarding goes to the link-local next hop (RFC 2545 §3).
  PathAttributes link_local_only = v6;
  link_local_only.next_hop = IpAddress::parse("::").value();
  EXPECT_EQ(store.intern(link_local_only).forwarding_address(), *v6.link_local_next_hop);
  EXPECT_EQ(store.intern(v6).forwarding_address(), *v6.next_hop);
}

TEST(AttributeStore, PackedPiecesKeepLongPathsAndListsApart) {
  // Pieces are packed into words, inline up to a few words, on the heap
  // beyond: both forms decode back and compare exactly.
  AttributeStore store;
  std::vector<uint32_t> long_path;
  for (uint32_t asn = 64500; asn < 64530; ++asn) long_path.push_back(asn);
  PathAttributes a = attrs_with_path(long_path);
  a.as_path->segments.push_back(AsPathSegment{AsPathSegmentType::confed_sequence, {65100}});
  a.as_path->segments.push_back(AsPathSegment{AsPathSegmentType::as_set, {}});
  for (uint32_t c = 0; c < 20; ++c) a.communities.push_back(0xFDE80000 + c);
  a.extended_communities = {0x0002FDE800000064ULL, 0xFFFFFFFF00000001ULL};
  a.large_communities = {LargeCommunity{65000, 1, 2}, LargeCommunity{65000, 3, 4}};
  AttrSetRef ref = store.intern(a);
  EXPECT_EQ(ref.attributes().get(), a);
  EXPECT_EQ(ref.as_path(), a.as_path);
  EXPECT_EQ(store.intern(a), ref);

  // One word different anywhere: another piece and another set.
  PathAttributes b = a;
  b.as_path->segments[0].asns.back() += 1;
  EXPECT_NE(store.intern(b), ref);
  PathAttributes c = a;
  c.as_path->segments[1].type = AsPathSegmentType::confed_set;
  EXPECT_NE(store.intern(c), ref);
  PathAttributes d = a;  // same words, split differently between the lists
  d.communities.pop_back();
  d.large_communities.push_back(LargeCommunity{0xFDE80013, 0, 0});
  EXPECT_NE(store.intern(d), ref);
  PathAttributes e = a;
  e.extended_communities[1] ^= 1;
  EXPECT_NE(store.intern(e), ref);
  PathAttributes no_path = a;
  no_path.as_path = AsPath{};  // present but empty differs from absent
  AttrSetRef empty_path = store.intern(no_path);
  no_path.as_path.reset();
  EXPECT_NE(store.intern(no_path), empty_path);
  EXPECT_EQ(empty_path.as_path(), AsPath{});
}

TEST(AttributeStore, SetIsCompact) {
  // What each distinct set costs inline (the pieces are shared).
  EXPECT_LE(sizeof(AttrSet), 96u);
  EXPECT_LE(sizeof(DecisionKey), 28u);
}

TEST(AttributeStore, DecodedFormIsBuiltOncePerSetInARow) {
  AttributeStore store;
  AttrSetRef a = store.intern(attrs_with_path({65001}, 1));
  AttrSetRef b = store.intern(attrs_with_path({65001}, 2));
  const PathAttributes* first = &a.attributes().get();
  EXPECT_EQ(&a.attributes().get(), first);  // every prefix of one UPDATE: one decode
  SharedAttributes kept = a.attributes();
  EXPECT_EQ(b->next_hop, IpAddress::v4(192, 0, 2, 2));
  EXPECT_EQ(kept->next_hop, IpAddress::v4(192, 0, 2, 1));  // a handle keeps its value
}

}  // namespace
}  // namespace halink::bgp

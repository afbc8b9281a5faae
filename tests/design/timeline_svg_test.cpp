// The timeline drawn as SVG: every series, every outage and every step is in
// the picture, and text is escaped.
#include "design/timeline_svg.h"

#include <gtest/gtest.h>

namespace halink::design {
namespace {

Time at_ms(int64_t ms) { return Time::zero() + Duration::milliseconds(ms); }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

Timeline sample() {
  Timeline t;
  t.title = "active-passive: <demo> & more";
  t.start = at_ms(0);
  t.end = at_ms(10'000);
  t.events = {{at_ms(1'000), "converged", true},
              {at_ms(2'000), "fail: tunnel-blackhole r1-g1", true},
              {at_ms(2'900), "r1 BGP r1-g1 down: BFD down", false}};
  t.flows = {{"onprem→cloud #0", "onprem → cloud", {{at_ms(0), at_ms(900)}, {at_ms(2'000), at_ms(2'900)}}},
             {"onprem→cloud #1", "onprem → cloud", {{at_ms(9'000), Time::never()}}}};
  t.tunnels = {{"r1-g1 (isp1)", "onprem → cloud", {{at_ms(0), 0}, {at_ms(900), 0.5}, {at_ms(2'900), 0}}},
               {"r1-g2 (isp1)", "onprem → cloud", {{at_ms(900), 0.5}, {at_ms(2'900), 1.0}}}};
  return t;
}

TEST(TimelineSvg, DrawsEverySeriesOutageAndStep) {
  const std::string svg = render_timeline_svg(sample());
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(count(svg, "class=\"share\""), 2u);
  EXPECT_EQ(count(svg, "class=\"out\""), 3u);
  EXPECT_EQ(count(svg, "class=\"step\""), 2u);
  EXPECT_EQ(count(svg, "class=\"tick\""), 1u);
  EXPECT_NE(svg.find("fail: tunnel-blackhole r1-g1"), std::string::npos);
  EXPECT_NE(svg.find("(900 ms)"), std::string::npos);
  EXPECT_NE(svg.find("onprem→cloud #1: out 9.000 s – end"), std::string::npos);
}

TEST(TimelineSvg, EscapesText) {
  const std::string svg = render_timeline_svg(sample());
  EXPECT_NE(svg.find("active-passive: &lt;demo&gt; &amp; more"), std::string::npos);
  EXPECT_EQ(svg.find("<demo>"), std::string::npos);
}

TEST(TimelineSvg, MeasuredRatesAreScaledToTheLargest) {
  Timeline t = sample();
  t.unit = SeriesUnit::bits_per_second;
  t.tunnels[1].samples = {{at_ms(900), 250e6}, {at_ms(2'900), 500e6}};
  t.tunnels[0].samples = {{at_ms(900), 250e6}};
  const std::string svg = render_timeline_svg(t);
  EXPECT_NE(svg.find("row height = 500.0 Mbit/s"), std::string::npos);
}

TEST(TimelineSvg, AnEmptyTimelineIsStillAPicture) {
  Timeline t;
  t.title = "nothing";
  const std::string svg = render_timeline_svg(t);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("0 s"), std::string::npos);
}

}  // namespace
}  // namespace halink::design

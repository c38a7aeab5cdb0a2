// ServiceAccountCache::clear() (the /debug/alpha/cache/clear handler): the
// cache empties at once, then converges again through a fresh list, and the
// watch it dropped can no longer change it.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "KubeFakeApiClient.hpp"
#include "kube/ServiceAccountCache.hpp"

namespace irsa::kube {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using namespace kube::testing;

std::string sa(const std::string& ns, const std::string& name, const std::string& rv) {
  return objectJson(ns, name, rv, {{"eks.amazonaws.com/role-arn", "arn:" + name}});
}

TEST(KubeServiceAccountCacheClearTest, ClearEmptiesThenRelistsAndIgnoresTheOldWatch) {
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  FakeApiClient api{io};
  ReflectorOptions reflector;
  reflector.backoffMin = 5ms;
  reflector.backoffMax = 5ms;
  auto cache = ServiceAccountCache::create(io.get_executor(), api, {}, reflector);
  cache->start();
  ASSERT_TRUE(answerInitialList(io, api, {sa("ns", "a", "1"), sa("ns", "b", "2")}, "100"));
  ASSERT_EQ(cache->size(), 2u);
  FakeApiClient::FakeStream& oldWatch = api.lastStream();

  cache->clear();
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_EQ(cache->find("ns", "a"), nullptr);
  ASSERT_TRUE(runUntil(io, [&] { return api.getCount() == 2; }));
  EXPECT_EQ(api.request(1).target, "/api/v1/serviceaccounts?limit=500");
  // An event on the dropped watch must not land in the cache.
  (void)oldWatch.push(eventJson("ADDED", sa("ns", "stale", "101")));
  ASSERT_TRUE(api.respondNext(200, listJson({sa("ns", "a", "3"), sa("ns", "c", "4")}, "200")));
  ASSERT_TRUE(runUntil(io, [&] { return cache->size() == 2 && api.watchCount() == 2; }));
  EXPECT_NE(cache->find("ns", "a"), nullptr);
  EXPECT_NE(cache->find("ns", "c"), nullptr);
  EXPECT_EQ(cache->find("ns", "b"), nullptr);
  EXPECT_EQ(cache->find("ns", "stale"), nullptr);
  EXPECT_TRUE(cache->ready());
  EXPECT_NE(api.lastStream().target.find("resourceVersion=200"), std::string::npos);

  cache->stop();
  drain(io);
}

}  // namespace
}  // namespace irsa::kube

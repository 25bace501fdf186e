#pragma once

#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace bw {

// Listeners that are notified from hot paths on any thread. Notifying reads one atomic pointer
// and allocates nothing; adding or removing copies the list. Old copies are kept until the
// list dies, so a notification in progress never reads freed memory (listeners change rarely).
template<typename Listener>
class ListenerList
{
public:
    ListenerList() { m_versions.push_back(std::make_unique<const std::vector<Listener *>>()); m_current = m_versions.back().get(); }
    ListenerList(const ListenerList &) = delete;
    ListenerList &operator=(const ListenerList &) = delete;

    void add(Listener *listener)
    {
        std::lock_guard guard(m_edit);
        auto next = std::make_unique<std::vector<Listener *>>(*m_current.load());
        next->push_back(listener);
        publish(std::move(next));
    }
    void remove(Listener *listener)
    {
        std::lock_guard guard(m_edit);
        auto next = std::make_unique<std::vector<Listener *>>(*m_current.load());
        std::erase(*next, listener);
        publish(std::move(next));
    }
    bool isEmpty() const { return m_current.load(std::memory_order_acquire)->empty(); }

    template<typename F>
    void notify(F &&f) const
    {
        for (Listener *l : *m_current.load(std::memory_order_acquire))
            f(l);
    }

private:
    void publish(std::unique_ptr<std::vector<Listener *>> next)
    {
        m_current.store(next.get(), std::memory_order_release);
        m_versions.push_back(std::move(next));
    }

    std::mutex m_edit;
    std::vector<std::unique_ptr<const std::vector<Listener *>>> m_versions;
    std::atomic<const std::vector<Listener *> *> m_current;
};

} // namespace bw

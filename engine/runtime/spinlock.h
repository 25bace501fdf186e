#pragma once

#include <atomic>
#include <thread>

namespace bw {

// A test-and-test-and-set lock for critical sections of a few dozen instructions (breaker and
// bulkhead bookkeeping). Cheaper than a mutex when uncontended, which is the common case;
// yields when contended so that it stays fair enough under the stress tests.
class SpinLock
{
public:
    void lock() noexcept
    {
        for (;;) {
            if (!m_locked.exchange(true, std::memory_order_acquire))
                return;
            int spins = 0;
            while (m_locked.load(std::memory_order_relaxed)) {
                if (++spins > 64) {
                    std::this_thread::yield();
                    spins = 0;
                }
            }
        }
    }
    bool try_lock() noexcept { return !m_locked.load(std::memory_order_relaxed) && !m_locked.exchange(true, std::memory_order_acquire); }
    void unlock() noexcept { m_locked.store(false, std::memory_order_release); }

private:
    std::atomic<bool> m_locked { false };
};

} // namespace bw

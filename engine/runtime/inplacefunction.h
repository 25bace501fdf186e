#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace bw {

template<typename Signature, std::size_t Capacity = 48>
class InplaceFunction;

// A move-only std::function that never allocates: the callable lives inside the object,
// and a callable too large for Capacity is a compile error. Used for timers and call
// completions, which sit on the hot path.
template<typename R, typename... Args, std::size_t Capacity>
class InplaceFunction<R(Args...), Capacity>
{
public:
    InplaceFunction() = default;
    InplaceFunction(std::nullptr_t) { }

    template<typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, InplaceFunction>>>
    InplaceFunction(F &&f) // NOLINT(google-explicit-constructor): behaves like std::function
    {
        using Fn = std::decay_t<F>;
        static_assert(sizeof(Fn) <= Capacity, "callable too large for InplaceFunction");
        static_assert(alignof(Fn) <= alignof(std::max_align_t), "callable over-aligned");
        static_assert(std::is_nothrow_move_constructible_v<Fn>, "callable must be nothrow movable");
        new (&m_storage) Fn(std::forward<F>(f));
        m_ops = &opsFor<Fn>;
    }

    InplaceFunction(InplaceFunction &&other) noexcept { moveFrom(other); }
    InplaceFunction &operator=(InplaceFunction &&other) noexcept
    {
        if (this != &other) {
            reset();
            moveFrom(other);
        }
        return *this;
    }
    InplaceFunction(const InplaceFunction &) = delete;
    InplaceFunction &operator=(const InplaceFunction &) = delete;
    ~InplaceFunction() { reset(); }

    explicit operator bool() const { return m_ops != nullptr; }

    R operator()(Args... args) const
    {
        return m_ops->invoke(const_cast<void *>(static_cast<const void *>(&m_storage)),
                             std::forward<Args>(args)...);
    }

    void reset()
    {
        if (m_ops) {
            if (m_ops->destroy)
                m_ops->destroy(&m_storage);
            m_ops = nullptr;
        }
    }

private:
    struct Ops
    {
        R (*invoke)(void *, Args &&...);
        void (*move)(void *dst, void *src);
        // Null when the callable has nothing to destroy (a lambda capturing pointers and
        // numbers, as timer tasks do): a timer queue resets a task at every pop and cancel.
        void (*destroy)(void *);
    };

    template<typename Fn>
    static constexpr Ops opsFor = {
        [](void *p, Args &&...args) -> R { return (*static_cast<Fn *>(p))(std::forward<Args>(args)...); },
        [](void *dst, void *src) {
            new (dst) Fn(std::move(*static_cast<Fn *>(src)));
            static_cast<Fn *>(src)->~Fn();
        },
        std::is_trivially_destructible_v<Fn> ? nullptr : +[](void *p) { static_cast<Fn *>(p)->~Fn(); },
    };

    void moveFrom(InplaceFunction &other)
    {
        if (other.m_ops) {
            other.m_ops->move(&m_storage, &other.m_storage);
            m_ops = other.m_ops;
            other.m_ops = nullptr;
        }
    }

    alignas(std::max_align_t) unsigned char m_storage[Capacity];
    const Ops *m_ops = nullptr;
};

} // namespace bw

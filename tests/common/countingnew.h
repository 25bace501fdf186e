#pragma once

// Counting replacements of the global allocation functions: every operator new in the process
// goes through these, so a test or benchmark can count the heap allocations a piece of code makes.
// (Qt's containers allocate with malloc and are not seen here.)
//
// This header DEFINES the replacement functions: include it in exactly one translation unit per
// executable (a second one would define them twice), and declare allocationsOnThisThread()
// elsewhere if other translation units need it.

#include <cstdint>
#include <cstdlib>
#include <new>

namespace bw::test {

namespace {
thread_local std::uint64_t t_allocations = 0;
}

// Calls of operator new made by this thread so far.
std::uint64_t allocationsOnThisThread()
{
    return t_allocations;
}

} // namespace bw::test

void *operator new(std::size_t size)
{
    ++bw::test::t_allocations;
    if (void *p = std::malloc(size ? size : 1))
        return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t size)
{
    return operator new(size);
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept
{
    ++bw::test::t_allocations;
    return std::malloc(size ? size : 1);
}
void *operator new[](std::size_t size, const std::nothrow_t &tag) noexcept
{
    return operator new(size, tag);
}
void operator delete(void *p) noexcept
{
    std::free(p);
}
void operator delete[](void *p) noexcept
{
    std::free(p);
}
void operator delete(void *p, std::size_t) noexcept
{
    std::free(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    std::free(p);
}

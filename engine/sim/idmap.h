#pragma once

#include <cstdint>
#include <vector>

namespace bw {

// uint64 key → uint32 value, open addressing with linear probing and backward-shift deletion.
// Grows to the peak number of entries and then never allocates: per-request bookkeeping on the
// simulator's hot path, where std::unordered_map would allocate a node per insert. Key 0 is
// reserved (attempt ids are never 0).
class IdMap
{
public:
    IdMap() : m_slots(16) { }

    void insert(std::uint64_t key, std::uint32_t value)
    {
        if ((m_size + 1) * 4 > m_slots.size() * 3)
            grow();
        place(key, value);
        ++m_size;
    }

    bool find(std::uint64_t key, std::uint32_t *value) const
    {
        for (std::size_t i = index(key);; i = (i + 1) & mask()) {
            if (m_slots[i].key == key) {
                *value = m_slots[i].value;
                return true;
            }
            if (m_slots[i].key == 0)
                return false;
        }
    }

    bool erase(std::uint64_t key)
    {
        std::size_t i = index(key);
        for (;; i = (i + 1) & mask()) {
            if (m_slots[i].key == 0)
                return false;
            if (m_slots[i].key == key)
                break;
        }
        // Backward shift: pull later entries of the probe run into the hole.
        std::size_t hole = i;
        for (std::size_t j = (i + 1) & mask(); m_slots[j].key != 0; j = (j + 1) & mask()) {
            // The entry may fill the hole if the hole lies on its probe path, home .. j.
            const std::size_t home = index(m_slots[j].key);
            if (((j - home) & mask()) >= ((j - hole) & mask())) {
                m_slots[hole] = m_slots[j];
                hole = j;
            }
        }
        m_slots[hole] = Slot {};
        --m_size;
        return true;
    }

    std::size_t size() const { return m_size; }

private:
    struct Slot
    {
        std::uint64_t key = 0;
        std::uint32_t value = 0;
    };
    std::size_t mask() const { return m_slots.size() - 1; }
    std::size_t index(std::uint64_t key) const
    {
        key ^= key >> 33;
        key *= 0xff51afd7ed558ccdull;
        key ^= key >> 33;
        return std::size_t(key) & mask();
    }
    void place(std::uint64_t key, std::uint32_t value)
    {
        std::size_t i = index(key);
        while (m_slots[i].key != 0)
            i = (i + 1) & mask();
        m_slots[i] = Slot { key, value };
    }
    void grow()
    {
        std::vector<Slot> old(m_slots.size() * 2);
        old.swap(m_slots);
        for (const Slot &s : old)
            if (s.key != 0)
                place(s.key, s.value);
    }

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
};

} // namespace bw

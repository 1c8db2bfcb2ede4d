/// An immutable open-addressing table from 64-bit hashes to item indices, fronted by a blocked Bloom filter
/// (one 64-bit word per key, three bits set in it, about 8 bits per key) small enough to stay in the core's
/// cache, so that the common case (a miss) costs one word load and a mask test.
struct HashTable64: Sendable {
    /// Slots; 0 marks an empty slot (a real key of 0 is stored as 1, see ``slotKey(_:)``).
    private let keys: [UInt64]
    private let values: [Int32]
    private let mask: Int
    /// The filter words, indexed by the key's top bits.
    let filter: [UInt64]
    /// Right shift that turns a key into its filter word index.
    let filterShift: UInt64
    /// Distinct keys stored.
    let count: Int

    /// Builds the table; for a key given twice, the first value wins.
    init(_ entries: [(key: UInt64, value: Int32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity <<= 1 }
        var filterBits = 1 << 12
        while filterBits < entries.count * 8, filterBits < 1 << 32 { filterBits <<= 1 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var values = [Int32](repeating: -1, count: capacity)
        var filter = [UInt64](repeating: 0, count: filterBits / 64)
        let filterShift = UInt64(64 - (filterBits / 64).trailingZeroBitCount)
        var count = 0
        for (key, value) in entries {
            let stored = Self.slotKey(key)
            var slot = Self.slot(for: stored, mask: capacity - 1)
            while keys[slot] != 0, keys[slot] != stored { slot = (slot + 1) & (capacity - 1) }
            guard keys[slot] == 0 else { continue }
            keys[slot] = stored
            values[slot] = value
            count += 1
            filter[Int(stored >> filterShift)] |= Self.filterMask(stored)
        }
        self.keys = keys
        self.values = values
        self.mask = capacity - 1
        self.filter = filter
        self.filterShift = filterShift
        self.count = count
    }

    /// The key as stored (0 is reserved for empty slots).
    @inline(__always)
    static func slotKey(_ key: UInt64) -> UInt64 { key == 0 ? 1 : key }

    @inline(__always)
    private static func slot(for key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key ^ (key >> 31)) &* 0x94D0_49BB_1331_11EB) & mask
    }

    /// The three bits a key sets in its filter word (from key bits that do not pick the word).
    @inline(__always)
    static func filterMask(_ key: UInt64) -> UInt64 {
        (1 << (key & 63)) | (1 << ((key >> 6) & 63)) | (1 << ((key >> 12) & 63))
    }

    /// Whether the filter lets `key` through (no false negatives).
    @inline(__always)
    static func passes(_ key: UInt64, filter: UnsafePointer<UInt64>, shift: UInt64) -> Bool {
        let stored = slotKey(key)
        let mask = filterMask(stored)
        return filter[Int(truncatingIfNeeded: stored >> shift)] & mask == mask
    }

    /// The value stored for `key`, or `nil`.
    func value(for key: UInt64) -> Int32? {
        let stored = Self.slotKey(key)
        var slot = Self.slot(for: stored, mask: mask)
        while keys[slot] != 0 {
            if keys[slot] == stored { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Bytes held by the table and its filter.
    var memoryBytes: Int { keys.count * 8 + values.count * 4 + filter.count * 8 }
}

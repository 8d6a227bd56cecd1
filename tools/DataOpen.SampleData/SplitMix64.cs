namespace DataOpen.SampleData;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014). Our own generator because System.Random's algorithm is
/// not part of its contract, and the committed sample files must regenerate byte for byte.
/// Only integer arithmetic and exact double scaling are used, so results are identical on every platform.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n); the modulo bias is below 2^-40 for the small n used here.</summary>
    public int Next(int n)
    {
        if (n <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive.");
        }
        return (int)(NextUInt64() % (ulong)n);
    }

    /// <summary>Uniform integer in [min, max] inclusive.</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public double Between(double min, double max) => min + (max - min) * NextDouble();

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>Approximately standard normal (Irwin–Hall sum of 12 uniforms): no transcendental functions, so no platform-dependent rounding.</summary>
    public double Normal()
    {
        var sum = 0.0;
        for (var i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }
        return sum - 6.0;
    }

    /// <summary>Index drawn with the given relative weights.</summary>
    public int Weighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }
        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }
        return weights.Count - 1;
    }

    /// <summary>A child generator whose stream depends only on this seed and the label, so adding a dataset does not shift the others.</summary>
    public static SplitMix64 For(string label)
    {
        // FNV-1a over UTF-16 code units: stable, unlike string.GetHashCode which is randomised per process.
        var h = 0xCBF29CE484222325UL;
        foreach (var c in label)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }
        return new SplitMix64(h ^ 0x5EED_DA7A_0000_2026UL);
    }
}

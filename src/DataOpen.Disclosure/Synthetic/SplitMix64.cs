namespace DataOpen.Disclosure.Synthetic;

/// <summary>SplitMix64 (Steele, Lea, Flood 2014): a tiny PRNG whose output is fixed by its seed on every
/// platform and runtime version, unlike System.Random, so the synthetic sample files are reproducible.</summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, max) by rejection, so no modulo bias.</summary>
    public int Next(int min, int max)
    {
        if (max <= min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), $"empty range [{min}, {max})");
        }
        var range = (ulong)(max - min);
        var limit = ulong.MaxValue - ulong.MaxValue % range;
        ulong r;
        do
        {
            r = Next();
        }
        while (r >= limit);
        return min + (int)(r % range);
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(0, items.Count)];

    /// <summary>Index drawn with probability proportional to the weights.</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        var total = weights.Sum();
        var u = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return i;
            }
        }
        return weights.Count - 1;
    }

    /// <summary>Log-normal draw (Box–Muller): skewed amounts like real grants.</summary>
    public double LogNormal(double mu, double sigma)
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Exp(mu + sigma * normal);
    }
}

namespace DataOpen.Disclosure;

/// <summary>Bad input to disclosure control (definition, microdata, parameters), with what and where.</summary>
public sealed class DisclosureException : Exception
{
    public DisclosureException(string message) : base(message)
    {
    }

    public DisclosureException(string message, Exception inner) : base(message, inner)
    {
    }

    public DisclosureException()
    {
    }
}

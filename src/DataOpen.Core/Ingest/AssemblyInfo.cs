using System.Runtime.CompilerServices;

// The binary COPY encoder is checked byte for byte without a database.
[assembly: InternalsVisibleTo("DataOpen.Core.Tests")]

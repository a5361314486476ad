// The pools synthetic values are drawn from (values.ts): countries with their capitals,
// currencies and languages (the lookups behind derived strings), cities, calendar and number words,
// and one pool per kind of string (people, companies, titles...). Data only.

/** Country → capital, currency, language: the lookups behind derived strings. */
export const COUNTRIES: readonly { country: string; capital: string; currency?: string; language?: string }[] = [
  { country: 'France', capital: 'Paris', currency: 'EUR', language: 'French' },
  { country: 'Japan', capital: 'Tokyo', currency: 'JPY', language: 'Japanese' },
  { country: 'Germany', capital: 'Berlin', currency: 'EUR', language: 'German' },
  { country: 'Spain', capital: 'Madrid', currency: 'EUR', language: 'Spanish' },
  { country: 'Italy', capital: 'Rome', currency: 'EUR', language: 'Italian' },
  { country: 'Egypt', capital: 'Cairo', currency: 'EGP', language: 'Arabic' },
  { country: 'Austria', capital: 'Vienna', currency: 'EUR', language: 'German' },
  { country: 'Portugal', capital: 'Lisbon', currency: 'EUR', language: 'Portuguese' },
  { country: 'Ireland', capital: 'Dublin', currency: 'EUR', language: 'English' },
  { country: 'Norway', capital: 'Oslo', currency: 'NOK', language: 'Norwegian' },
  { country: 'Sweden', capital: 'Stockholm', currency: 'SEK', language: 'Swedish' },
  { country: 'Kenya', capital: 'Nairobi', currency: 'KES', language: 'Swahili' },
  { country: 'Thailand', capital: 'Bangkok', currency: 'THB', language: 'Thai' },
  { country: 'Greece', capital: 'Athens', currency: 'EUR', language: 'Greek' },
  { country: 'Peru', capital: 'Lima', currency: 'PEN', language: 'Spanish' },
  { country: 'Argentina', capital: 'Buenos Aires', currency: 'ARS', language: 'Spanish' },
  { country: 'the Netherlands', capital: 'Amsterdam', currency: 'EUR', language: 'Dutch' },
  { country: 'Canada', capital: 'Ottawa', currency: 'CAD', language: 'English' },
  { country: 'Australia', capital: 'Canberra', currency: 'AUD', language: 'English' },
  { country: 'the United Kingdom', capital: 'London', currency: 'GBP', language: 'English' },
  { country: 'South Korea', capital: 'Seoul', currency: 'KRW', language: 'Korean' },
  { country: 'China', capital: 'Beijing', currency: 'CNY', language: 'Chinese' },
  { country: 'India', capital: 'New Delhi', currency: 'INR', language: 'Hindi' },
  { country: 'Mexico', capital: 'Mexico City', currency: 'MXN', language: 'Spanish' },
  { country: 'Brazil', capital: 'Brasilia', currency: 'BRL', language: 'Portuguese' },
  { country: 'Switzerland', capital: 'Bern', currency: 'CHF' },
  { country: 'Turkey', capital: 'Ankara', currency: 'TRY', language: 'Turkish' },
  { country: 'Poland', capital: 'Warsaw', currency: 'PLN', language: 'Polish' },
];
export const COUNTRY_NAME = (c: string): string => c.replace(/^the /, '');

/** US state → capital ("City, ST"), for parameters that want "city, state". */
export const STATE_CAPITALS: readonly { state: string; city: string }[] = [
  { state: 'Texas', city: 'Austin, TX' },
  { state: 'Georgia', city: 'Atlanta, GA' },
  { state: 'Colorado', city: 'Denver, CO' },
  { state: 'Massachusetts', city: 'Boston, MA' },
  { state: 'Arizona', city: 'Phoenix, AZ' },
  { state: 'Tennessee', city: 'Nashville, TN' },
  { state: 'California', city: 'Sacramento, CA' },
  { state: 'Utah', city: 'Salt Lake City, UT' },
];
export const US_CITIES = ['New York, NY', 'Los Angeles, CA', 'Chicago, IL', 'Houston, TX', 'Seattle, WA', 'Miami, FL', 'San Francisco, CA', 'Portland, OR', 'Las Vegas, NV', 'San Diego, CA', 'Boston, MA', 'Denver, CO'];
export const WORLD_CITIES = ['Paris', 'London', 'Tokyo', 'Berlin', 'Madrid', 'Rome', 'Sydney', 'Toronto', 'Mumbai', 'Cairo', 'Seoul', 'Amsterdam', 'Vienna', 'Lisbon', 'Dublin', 'Singapore', 'Istanbul', 'Bangkok', 'Chicago', 'Barcelona', 'Nairobi', 'Oslo'];
export const CITY_COUNTRY: Record<string, string> = { Sydney: 'Australia', Toronto: 'Canada', Mumbai: 'India', Istanbul: 'Turkey', Singapore: 'Singapore', Chicago: 'USA', Barcelona: 'Spain' };
for (const c of COUNTRIES) CITY_COUNTRY[c.capital] = COUNTRY_NAME(c.country);

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];
export const ORDINAL_COUNT = ['', 'one', 'two', 'three', 'four', 'five'];

export const POOLS: Record<string, readonly string[]> = {
  person: ['Alice Johnson', 'Bob Smith', 'Carlos Diaz', 'Diana Lee', 'Emma Brown', 'Farah Khan', 'George Miller', 'Hana Sato', 'Ivan Petrov', 'Julia Rossi', 'Kofi Mensah', 'Laura Chen'],
  artist: ['Taylor Swift', 'The Beatles', 'Ed Sheeran', 'Adele', 'Miles Davis', 'Jane Austen', 'George Orwell', 'Vincent van Gogh', 'Claude Monet', 'Beyonce'],
  company: ['Apple', 'Microsoft', 'Tesla', 'Amazon', 'Google', 'Netflix', 'Nike', 'Toyota', 'Samsung', 'IBM', 'Intel', 'Spotify'],
  ticker: ['AAPL', 'MSFT', 'TSLA', 'AMZN', 'GOOGL', 'NFLX', 'NVDA', 'META'],
  currency: ['USD', 'EUR', 'JPY', 'GBP', 'CAD', 'AUD', 'CHF', 'INR'],
  language: ['English', 'Spanish', 'French', 'German', 'Japanese', 'Italian', 'Portuguese', 'Korean'],
  languageCode: ['en', 'es', 'fr', 'de', 'ja', 'it', 'pt', 'ko'],
  countryCode: ['US', 'FR', 'JP', 'DE', 'GB', 'IN', 'BR', 'CA'],
  email: ['alice@example.com', 'bob.smith@example.org', 'support@acme.io', 'diana.lee@mail.com', 'team@startup.dev'],
  url: ['https://example.com', 'https://www.wikipedia.org', 'https://news.example.org/today', 'https://shop.example.com/items'],
  file: ['report.csv', 'data.json', 'notes.txt', 'photo.png', 'sales_2023.xlsx', 'config.yaml', 'main.py'],
  genre: ['rock', 'jazz', 'pop', 'classical', 'hip hop', 'blues', 'country', 'electronic'],
  filmGenre: ['comedy', 'drama', 'thriller', 'horror', 'action', 'documentary', 'animation'],
  cuisine: ['Italian', 'Mexican', 'Japanese', 'Indian', 'Thai', 'French', 'Chinese', 'Greek'],
  color: ['red', 'blue', 'green', 'yellow', 'purple', 'orange', 'black', 'white'],
  sport: ['basketball', 'soccer', 'tennis', 'baseball', 'cricket', 'hockey', 'golf'],
  team: ['Los Angeles Lakers', 'Real Madrid', 'Manchester United', 'Chicago Bulls', 'Golden State Warriors', 'FC Barcelona', 'New York Yankees'],
  title: ['The Great Gatsby', 'Inception', 'Bohemian Rhapsody', 'Abbey Road', 'Pride and Prejudice', 'The Matrix', 'Hamlet', 'Starry Night'],
  species: ['African elephant', 'bald eagle', 'gray wolf', 'polar bear', 'sea turtle', 'honey bee', 'red fox'],
  food: ['pasta', 'chicken', 'tofu', 'rice', 'avocado', 'salmon', 'lentils', 'spinach'],
  event: ['World War II', 'the French Revolution', 'the Moon landing', 'the fall of the Berlin Wall', 'the Renaissance', 'the Industrial Revolution'],
  unit: ['meters', 'kilograms', 'celsius', 'miles', 'liters', 'seconds'],
  status: ['active', 'pending', 'completed', 'archived', 'open'],
  region: ['California', 'Texas', 'Florida', 'New York', 'Ohio', 'Oregon', 'Colorado', 'Georgia'],
  address: ['123 Main Street', '42 Elm Avenue', '7 Harbor Road', '15 Park Lane', '900 Market Street'],
  phone: ['555-0142', '555-0199', '555-0123', '555-0187'],
  message: ['See you at the meeting', 'The report is ready', 'Happy birthday', 'Please call me back', 'Thanks for your help'],
  expression: ['x**2 + 3*x', '2*x + 1', 'x**3 - 2*x', 'sin(x)', '3*x**2 - x + 4'],
  topic: ['machine learning', 'climate change', 'renewable energy', 'quantum computing', 'ancient Rome', 'electric cars', 'healthy recipes', 'space exploration'],
  thing: ['standard', 'premium', 'basic', 'alpha', 'orion', 'atlas', 'nova', 'summit'],
};

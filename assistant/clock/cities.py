"""Major cities that are not part of any zone id, so the customer field understands
"Mumbai" or "Barcelona" as well as "Kolkata" or "Madrid". Each maps to the zone whose
clock the city keeps (the country follows from the zone). Names shared by big cities in
different countries (Portland, San José, Valencia, Newcastle) are left out on purpose:
the agent types the country or a zone instead."""

from __future__ import annotations

MAJOR_CITIES: dict[str, str] = {}


def _add(zone: str, *cities: str) -> None:
    for city in cities:
        MAJOR_CITIES[city] = zone


_add("Asia/Kolkata", "Mumbai", "Bombay", "Delhi", "New Delhi", "Bangalore", "Bengaluru",
     "Chennai", "Madras", "Hyderabad", "Pune", "Ahmedabad", "Jaipur", "Noida", "Gurgaon",
     "Gurugram")
_add("Asia/Karachi", "Lahore", "Islamabad")
_add("Asia/Dhaka", "Chittagong")
_add("Asia/Shanghai", "Beijing", "Peking", "Guangzhou", "Shenzhen", "Chengdu", "Wuhan",
     "Hangzhou", "Nanjing", "Tianjin", "Xi'an")
_add("Asia/Tokyo", "Osaka", "Kyoto", "Yokohama", "Nagoya", "Sapporo", "Fukuoka")
_add("Asia/Seoul", "Busan", "Incheon")
_add("Asia/Ho_Chi_Minh", "Hanoi", "Saigon", "Da Nang")
_add("Asia/Jakarta", "Surabaya", "Bandung")
_add("Asia/Makassar", "Bali", "Denpasar")
_add("Asia/Manila", "Cebu", "Quezon City", "Davao", "Makati")
_add("Asia/Bangkok", "Phuket", "Chiang Mai", "Pattaya")
_add("Asia/Kuala_Lumpur", "Penang")
_add("Australia/Sydney", "Canberra")
_add("Australia/Brisbane", "Gold Coast")
_add("Pacific/Auckland", "Wellington", "Christchurch")
_add("Asia/Dubai", "Abu Dhabi", "Sharjah")
_add("Asia/Riyadh", "Jeddah", "Mecca", "Makkah", "Medina", "Dammam")
_add("Europe/Istanbul", "Ankara", "Izmir", "Antalya")
_add("Asia/Jerusalem", "Tel Aviv", "Haifa")
_add("Africa/Cairo", "Alexandria", "Giza")
_add("Africa/Lagos", "Abuja")
_add("Africa/Johannesburg", "Cape Town", "Durban", "Pretoria")
_add("Africa/Nairobi", "Mombasa")
_add("Africa/Casablanca", "Rabat", "Marrakesh", "Marrakech", "Fes", "Tangier")
_add("Europe/Madrid", "Barcelona", "Seville", "Sevilla", "Bilbao", "Malaga",
     "Málaga", "Zaragoza", "Palma")
_add("Atlantic/Canary", "Las Palmas", "Tenerife", "Gran Canaria")
_add("Europe/Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Bordeaux", "Lille", "Nantes",
     "Strasbourg")
_add("Europe/Berlin", "Munich", "München", "Hamburg", "Frankfurt", "Cologne", "Köln",
     "Stuttgart", "Düsseldorf", "Dusseldorf", "Leipzig", "Dresden")
_add("Europe/Rome", "Milan", "Milano", "Naples", "Napoli", "Turin", "Torino", "Florence",
     "Firenze", "Venice", "Venezia", "Bologna")
_add("Europe/London", "Manchester", "Birmingham", "Glasgow", "Edinburgh", "Liverpool",
     "Leeds", "Bristol", "Belfast", "Cardiff")
_add("Europe/Dublin", "Cork", "Galway")
_add("Europe/Amsterdam", "Rotterdam", "The Hague", "Den Haag", "Utrecht", "Eindhoven")
_add("Europe/Brussels", "Antwerp", "Antwerpen", "Ghent", "Gent", "Liège")
_add("Europe/Zurich", "Geneva", "Genève", "Basel", "Bern", "Lausanne")
_add("Europe/Vienna", "Salzburg", "Graz", "Innsbruck")
_add("Europe/Warsaw", "Krakow", "Kraków", "Wroclaw", "Wrocław", "Gdansk", "Gdańsk", "Poznan")
_add("Europe/Lisbon", "Porto", "Oporto")
_add("Europe/Stockholm", "Gothenburg", "Göteborg", "Malmö", "Malmo")
_add("Europe/Moscow", "St Petersburg", "St. Petersburg", "Saint Petersburg", "Kazan")
_add("Europe/Kyiv", "Kharkiv", "Odesa", "Odessa", "Lviv", "Dnipro")
_add("America/Los_Angeles", "San Francisco", "San Diego", "Seattle", "Las Vegas",
     "Sacramento", "Oakland")
_add("America/Chicago", "Houston", "Dallas", "Austin", "San Antonio", "Minneapolis",
     "New Orleans", "Nashville", "Kansas City", "St. Louis")
_add("America/New_York", "Atlanta", "Miami", "Boston", "Washington", "Washington DC",
     "Philadelphia", "Orlando", "Charlotte", "Baltimore", "Pittsburgh")
_add("America/Denver", "Salt Lake City", "Albuquerque")
_add("America/Toronto", "Montreal", "Montréal", "Ottawa", "Quebec", "Québec")
_add("America/Edmonton", "Calgary")
_add("America/Mexico_City", "Guadalajara", "Monterrey", "Puebla")
_add("America/Sao_Paulo", "Rio de Janeiro", "Rio", "Brasilia", "Brasília", "Belo Horizonte",
     "Curitiba", "Porto Alegre")
_add("America/Bahia", "Salvador")
_add("America/Argentina/Cordoba", "Rosario")
_add("America/Bogota", "Medellín", "Medellin", "Cali", "Barranquilla")
_add("America/Santiago", "Valparaíso", "Valparaiso")
_add("America/Lima", "Cusco", "Arequipa")
